using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The console explains refusals in the person's language and follows a language switch; a person changes their own
/// password from the header, is told why a weak or wrong one is refused, and their other sessions end.
/// </summary>
public sealed class ConsoleAccountTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task A_refusal_shows_its_codes_chinese_sentence_and_after_the_language_switch_the_english_one()
    {
        var admin = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("浏览器提示语模型公司", "model_builder"), "admin");
        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            // Both label tables have the same keys, so no label falls back to the other language.
            var keys = await page.EvaluateAsync<JsonElement>("async () => (await import('/ui/i18n.js')).labelKeys()");
            var zh = keys.GetProperty("zh").EnumerateArray().Select(k => k.GetString()!).ToHashSet(StringComparer.Ordinal);
            var en = keys.GetProperty("en").EnumerateArray().Select(k => k.GetString()!).ToHashSet(StringComparer.Ordinal);
            Assert.True(zh.SetEquals(en), "labels in one table only: " + string.Join(", ", zh.Except(en).Concat(en.Except(zh))));

            await console.SignInAsync(admin);
            await console.NavigateAsync("成员");
            // Inviting oneself: the address already has an account (409 user_exists).
            await page.GetByLabel("电子邮箱").FillAsync(admin);
            await page.GetByLabel("姓名").FillAsync("重复的我");
            await page.GetByRole(AriaRole.Button, new() { Name = "邀请成员" }).ClickAsync();
            var chinese = await console.NoticeAsync();
            Assert.StartsWith("这个邮箱已经有账号（在本机构或其他机构）。", chinese, StringComparison.Ordinal);
            Assert.Contains("already has an account (in this or another organisation)", chinese, StringComparison.Ordinal); // the problem's detail
            await console.AssertAccessibleAsync("a refusal in Chinese");

            await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("This e-mail address already has an account, in this or another organisation.");
            Assert.DoesNotContain("这个邮箱", await page.Locator("#notice").InnerTextAsync(), StringComparison.Ordinal);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Users" })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("a refusal in English");
            await console.ScreenshotAsync("console-refusal-english.png");

            await page.GetByRole(AriaRole.Button, new() { Name = "中文" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("这个邮箱已经有账号");
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-refusal.png");
        }
    }

    [Fact]
    public async Task A_person_changes_their_password_is_told_why_a_wrong_or_weak_one_is_refused_and_their_other_sessions_end()
    {
        const string newPassword = "灯笼-river-harbour-1987";
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("浏览器改密码数源单位", "source_unit"), "editor");
        await using var elsewhere = await ConsolePage.OpenAsync(api.BaseAddress);
        await elsewhere.SignInAsync(email);
        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await page.GetByRole(AriaRole.Link, new() { Name = "修改密码" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "修改密码" })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("change password");
            var current = page.GetByLabel("当前密码", new() { Exact = true });
            var next = page.GetByLabel("新密码", new() { Exact = true });
            var again = page.GetByLabel("再次输入新密码", new() { Exact = true });
            var submit = page.GetByRole(AriaRole.Button, new() { Name = "修改密码" });

            await current.FillAsync("not my password");
            await next.FillAsync(newPassword);
            await again.FillAsync(newPassword);
            await submit.ClickAsync();
            Assert.StartsWith("当前密码不正确，密码没有更改。", await console.NoticeAsync(), StringComparison.Ordinal);

            await current.FillAsync(ConsoleFlow.Password);
            await next.FillAsync("Password2025!");
            await again.FillAsync("Password2025!");
            await submit.ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("新密码太常见或太有规律");
            await console.AssertAccessibleAsync("a refused password change");
            await console.ScreenshotAsync("console-password-refused.png");

            await next.FillAsync(newPassword);
            await again.FillAsync(newPassword + "x");
            await submit.ClickAsync();
            await Expect(page.Locator("#notice")).ToHaveTextAsync("两次输入的新密码不一致，请重新输入。");

            await again.FillAsync(newPassword);
            await submit.ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("密码已更改");
            await Expect(current).ToHaveValueAsync("");
            await console.ScreenshotAsync("console-password-changed.png");

            // This page stays signed in; the other browser is signed out on its next request.
            await console.NavigateAsync("数据目录");
            await elsewhere.Page.ReloadAsync();
            await Expect(elsewhere.Page.GetByRole(AriaRole.Heading, new() { Name = "登录数据空间控制台" })).ToBeVisibleAsync();

            // The old password no longer signs in; the new one does.
            await elsewhere.Page.GetByLabel("电子邮箱").FillAsync(email);
            await elsewhere.Page.GetByLabel("密码").FillAsync(ConsoleFlow.Password);
            await elsewhere.Page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
            Assert.Contains("邮箱或密码不正确", await elsewhere.NoticeAsync(), StringComparison.Ordinal);
            await elsewhere.SignInAsync(email, newPassword);
            console.AssertSelfContained();
            elsewhere.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-password.png");
        }
    }
}
