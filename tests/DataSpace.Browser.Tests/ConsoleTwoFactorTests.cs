using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// A person turns on two-step verification in the console (the page shows the secret and the otpauth link, a first code
/// confirms it), and from then on the sign-in page asks for the authenticator app's code after the password; a wrong
/// code is refused in words. Codes come from Debian's oathtool for the secret the page showed.
/// </summary>
public sealed class ConsoleTwoFactorTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task A_person_enrols_an_authenticator_app_and_then_signs_in_with_password_and_code()
    {
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("浏览器两步验证数源单位", "source_unit"), "editor");
        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        var moved = false;
        try
        {
            await console.SignInAsync(email);
            await page.GetByRole(AriaRole.Link, new() { Name = "两步验证" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "两步验证" })).ToBeVisibleAsync();
            await Expect(page.Locator("#totp-status")).ToContainTextAsync("未开启");
            await page.GetByRole(AriaRole.Button, new() { Name = "开启两步验证" }).ClickAsync();
            var secret = await page.Locator("#totp-secret").InnerTextAsync();
            Assert.Matches("^[A-Z2-7]{32}$", secret);
            await Expect(page.Locator("#totp-uri")).ToHaveTextAsync($"otpauth://totp/DataSpace:{Uri.EscapeDataString(email)}?secret={secret}&issuer=DataSpace");
            await console.AssertAccessibleAsync("two-step verification enrolment");
            await console.ScreenshotAsync("console-totp-enrolment.png");

            await page.GetByLabel("验证码").FillAsync(await OathTool.CodeAsync(secret, api.Clock.GetUtcNow()));
            await page.GetByRole(AriaRole.Button, new() { Name = "确认开启" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("两步验证已开启");
            await Expect(page.Locator("#totp-status")).ToContainTextAsync("已开启");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "关闭两步验证" })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
            // The code that confirmed is used: the sign-in below happens half a minute later, at the app's next code.
            api.Clock.Advance(TimeSpan.FromSeconds(30));
            moved = true;
            await page.GetByLabel("电子邮箱").FillAsync(email);
            await page.GetByLabel("密码").FillAsync(ConsoleFlow.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
            Assert.StartsWith("这个账号开启了两步验证", await console.NoticeAsync(), StringComparison.Ordinal);
            var code = page.GetByLabel("验证码");
            await Expect(code).ToBeFocusedAsync();
            // Still signed out: the password alone made no session.
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "退出登录" })).ToHaveCountAsync(0);

            var right = await OathTool.CodeAsync(secret, api.Clock.GetUtcNow());
            await code.FillAsync(((int.Parse(right, CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture));
            await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("验证码不正确");
            await Expect(page.Locator("#notice")).ToContainTextAsync("is not the one your authenticator app shows now"); // the problem's detail
            await console.AssertAccessibleAsync("the sign-in page asking for a code");
            await console.ScreenshotAsync("console-totp-sign-in.png");

            await code.FillAsync(await OathTool.CodeAsync(secret, api.Clock.GetUtcNow()));
            await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "退出登录" })).ToBeVisibleAsync();
            console.AssertSelfContained();
        }
        finally
        {
            if (moved)
            {
                api.Clock.Advance(TimeSpan.FromSeconds(-30));
            }

            await console.ScreenshotAsync("console-totp.png");
        }
    }
}
