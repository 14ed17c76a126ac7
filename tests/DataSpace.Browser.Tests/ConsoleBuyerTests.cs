using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The model builder's own records in the console: my orders (newest first, with their status, an unpaid one cancelled
/// from the page) and my usage (the organisation's downloads per day and dataset, as the server metered them).
/// </summary>
public sealed class ConsoleBuyerTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task A_model_builder_sees_its_orders_cancels_an_unpaid_one_and_sees_its_metered_downloads()
    {
        var ct = TestContext.Current.CancellationToken;
        using var seller = await api.ClientFor(await api.OrganizationAsync("浏览器订单数源单位", "source_unit"));
        var builderOrg = await api.OrganizationAsync("浏览器订单模型公司", "model_builder");
        using var builder = await api.ClientFor(builderOrg);
        var email = await ConsoleFlow.UserAsync(api, builderOrg, "editor");
        var content = "月份,出口额\n2025-01,1200\n2025-02,1350\n"u8.ToArray();
        var paidTitle = "浏览器已付款数据集 " + Guid.NewGuid().ToString("N")[..6];
        var unpaidTitle = "浏览器待付款数据集 " + Guid.NewGuid().ToString("N")[..6];
        var paidDataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["出口.csv"] = content }, "paid", paidTitle);
        var unpaidDataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["出口.csv"] = content }, "paid", unpaidTitle);
        var (paidTerms, paidPlan) = await OrderFlow.OfferAsync(seller, paidDataset, 50_000);
        var (unpaidTerms, unpaidPlan) = await OrderFlow.OfferAsync(seller, unpaidDataset, 12_300);
        await OrderFlow.AcceptAsync(builder, paidDataset, paidTerms);
        await OrderFlow.AcceptAsync(builder, unpaidDataset, unpaidTerms);
        var paid = await OrderFlow.PlaceAsync(builder, paidPlan);
        var unpaid = await OrderFlow.PlaceAsync(builder, unpaidPlan);
        using (var op = await api.OperatorClient())
        {
            await (await op.PostAsJsonAsync($"/v1/orders/{paid}/payments", new { amount_fen = 50_000, reference = "R-buyer-" + paid }, ct)).AssertJson();
        }

        // One download, metered by the server.
        using (var download = await builder.GetAsync(DatasetFlow.FileUrl(paidDataset, 1, "出口.csv"), ct))
        {
            Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(ct));
        }

        await api.UsageEventsSettledAsync(paidDataset);

        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await console.NavigateAsync("我的订单");
            var paidRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = paidTitle });
            var unpaidRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = unpaidTitle });
            await Expect(paidRow).ToContainTextAsync("已付款");
            await Expect(paidRow).ToContainTextAsync("¥500.00");
            await Expect(unpaidRow).ToContainTextAsync("待付款");
            await Expect(paidRow.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
            await console.AssertAccessibleAsync("my orders");
            await console.ScreenshotAsync("console-my-orders.png");

            await unpaidRow.GetByRole(AriaRole.Button, new() { Name = "取消订单" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = unpaidTitle })).ToContainTextAsync("已取消");
            var cancelled = await (await builder.GetAsync($"/v1/orders/{unpaid}", ct)).AssertJson();
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());

            await console.NavigateAsync("我的用量");
            var usage = page.GetByRole(AriaRole.Row).Filter(new() { HasText = paidTitle });
            await Expect(usage).ToHaveCountAsync(1);
            // Downloads, completed downloads, bytes.
            await Expect(usage.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("1");
            await Expect(usage.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("1");
            await Expect(usage.GetByRole(AriaRole.Cell).Nth(4)).ToHaveTextAsync(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await console.AssertAccessibleAsync("my usage");
            await console.ScreenshotAsync("console-my-usage.png");

            // A period with no downloads says so, and what to do.
            await page.GetByLabel("期间起").FillAsync("2020-01-01");
            await page.GetByLabel("期间止").FillAsync("2020-01-31");
            await page.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
            await Expect(page.GetByText("这段时间没有下载记录。", new() { Exact = false })).ToBeVisibleAsync();
            // A period the API refuses shows the problem's detail.
            await page.GetByLabel("期间起").FillAsync("2020-02-01");
            await page.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("有些字段填写得不对");
            await Expect(page.Locator("#notice")).ToContainTextAsync("must not be before from"); // the problem's detail
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-buyer.png");
        }
    }
}
