using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The operator's daily work in the console, through the operator's public endpoints: register an organisation, give it
/// an API client (whose secret then gets a token at /connect/token) and a first admin, disable the client, and confirm
/// a payment from the queue, after which the buyer's order is paid.
/// </summary>
public sealed class ConsoleOperatorTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task The_operator_registers_an_organisation_gives_it_a_client_and_an_admin_and_confirms_a_payment()
    {
        var ct = TestContext.Current.CancellationToken;
        // As the demo operator user of ./dataspace up: an admin of the operator organisation.
        var email = await ConsoleFlow.UserAsync(api, await api.OperatorAsync(), "admin");
        using var seller = await api.ClientFor(await api.OrganizationAsync("浏览器运营售卖数源单位", "source_unit"));
        var buyerOrg = await api.OrganizationAsync("浏览器运营购买模型公司", "model_builder");
        using var buyer = await api.ClientFor(buyerOrg);
        var dataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["样品.csv"] = "月份,出口额\n2025-01,1200\n"u8.ToArray() }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(seller, dataset, 88_800);
        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        var name = "浏览器运营登记的数源单位 " + Guid.NewGuid().ToString("N")[..6];

        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await console.NavigateAsync("机构");
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "浏览器运营购买模型公司", Exact = true })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("organisations");
            await console.ScreenshotAsync("console-operator-organizations.png");

            // A wrong credit code is refused in words, with the API's detail naming the field.
            await page.GetByLabel("机构名称").FillAsync(name);
            await page.GetByLabel("统一社会信用代码").FillAsync("91442000MA4UJ9XK3X");
            await page.GetByRole(AriaRole.Checkbox, new() { Name = "数源单位", Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "登记机构" }).ClickAsync();
            var refusal = await console.NoticeAsync();
            Assert.StartsWith("有些字段填写得不对", refusal, StringComparison.Ordinal);
            Assert.Contains("unified_social_credit_code", refusal, StringComparison.Ordinal);

            await page.GetByLabel("统一社会信用代码").FillAsync(Uscc.Random());
            await page.GetByRole(AriaRole.Button, new() { Name = "登记机构" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = name })).ToBeVisibleAsync();
            await Expect(page.GetByText("这个机构还没有 API 客户端。")).ToBeVisibleAsync();
            var orgId = page.Url.Split("#/organizations/")[1];

            await page.GetByLabel("客户端用途").FillAsync("数据上传脚本");
            await page.GetByRole(AriaRole.Button, new() { Name = "创建 API 客户端" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("API 客户端已创建");
            var clientId = await page.Locator("#new-client-id").InnerTextAsync();
            var secret = await page.Locator(".secret").InnerTextAsync();
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = clientId })).ToContainTextAsync("有效");
            // The secret the page showed is the client's: it gets a token.
            Assert.False(string.IsNullOrEmpty(await api.TokenAsync(new Credentials(orgId, clientId, secret))));

            var admin = $"first-admin-{Guid.NewGuid():N}@example.cn";
            await page.GetByLabel("电子邮箱").FillAsync(admin);
            await page.GetByLabel("姓名").FillAsync("陈敏");
            await page.GetByLabel("角色").SelectOptionAsync("admin");
            await page.GetByRole(AriaRole.Button, new() { Name = "创建用户" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("用户已创建");
            var password = await page.Locator(".secret").Last.InnerTextAsync();
            using (var signIn = await ConsoleFlow.PostSignInAsync(api, admin, password))
            {
                await signIn.AssertJson();
            }

            await console.AssertAccessibleAsync("an organisation with its client and first admin");
            await console.ScreenshotAsync("console-operator-organization.png");
            await page.GetByRole(AriaRole.Button, new() { Name = "停用 数据上传脚本" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = clientId })).ToContainTextAsync("已停用");

            await console.NavigateAsync("待确认付款");
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "浏览器运营购买模型公司" });
            await Expect(row).ToContainTextAsync("¥888.00");
            await console.AssertAccessibleAsync("payments to confirm");
            await console.ScreenshotAsync("console-operator-payments.png");
            await row.GetByLabel("付款流水号").FillAsync("BANK-" + Guid.NewGuid().ToString("N")[..10]);
            await row.GetByRole(AriaRole.Button, new() { Name = "确认收款" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("已确认收款");
            await Expect(page.GetByText("没有等待确认的付款。")).ToBeVisibleAsync();

            var paid = await (await buyer.GetAsync($"/v1/orders/{order}", ct)).AssertJson();
            Assert.Equal("paid", paid.GetProperty("status").GetString());
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-operator.png");
        }
    }
}
