using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The /docs reference page in a real browser (Debian's Chromium, headless, driven by Playwright) against the API on a
/// loopback port: the page loads everything from the API itself, runs under its CSP, authorizes with a client's
/// credentials through the OAuth 2.0 client-credentials flow and runs a call whose answer it shows.
/// </summary>
public sealed class DocsPageTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private const string Chromium = "/usr/bin/chromium"; // Debian's package (./dataspace test installs it); never a downloaded browser

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Screenshots land here (the test output folder) and are attached to the test result.</summary>
    public static string ArtifactsFolder => Path.Combine(AppContext.BaseDirectory, "artifacts");

    [Fact]
    public async Task The_docs_page_authorizes_with_client_credentials_and_shows_a_call_it_ran()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run ./dataspace test (it installs Debian's chromium), or apt-get install chromium");
        using var unit = await api.ClientFor(await api.OrganizationAsync("浏览器测试数源单位", "source_unit"));
        var title = "浏览器里看到的数据集 " + Guid.NewGuid().ToString("N")[..8];
        await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["样品.csv"] = "编号,功率\nGZ-001,12\n"u8.ToArray() }, title: title);
        var builder = await api.OrganizationAsync("浏览器测试模型公司", "model_builder");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(120_000); // hang detectors, generous for a loaded machine
        SetDefaultExpectTimeout(120_000);
        var origin = api.BaseAddress.GetLeftPart(UriPartial.Authority);
        var elsewhere = new ConcurrentQueue<string>();
        var cspViolations = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                elsewhere.Enqueue(request.Url);
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspViolations.Enqueue(message.Text);
            }
        };

        try
        {
            await page.GotoAsync(origin + "/docs/");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            // OAuth comes first: the sidebar's first group, and the authentication card beside the introduction.
            await Expect(page.Locator("[data-sidebar-id*='/tag/']").First).ToContainTextAsync("OAuth");

            // Authorize: client credentials typed into the page (it prefills nothing), token from /connect/token.
            await Expect(page.GetByLabel("Client ID").First).ToBeEmptyAsync();
            await page.GetByLabel("Client ID").First.FillAsync(builder.ClientId);
            await page.GetByLabel("Client Secret").First.FillAsync(builder.ClientSecret);
            var token = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Authorize", Exact = true }).First.ClickAsync(),
                response => response.Url == origin + "/connect/token");
            Assert.Equal(200, token.Status);

            // One call from the catalog, tried out: the page sends the bearer token and shows the answer.
            await page.GetByRole(AriaRole.Link, new() { Name = "Catalog", Exact = true }).First.ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Test Request (get /v1/datasets)" }).First.ClickAsync();
            var call = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Send" }).First.ClickAsync(),
                response => response.Url.StartsWith(origin + "/v1/datasets", StringComparison.Ordinal) && response.Request.Method == "GET");
            Assert.Equal(200, call.Status);
            Assert.StartsWith("Bearer ", await call.Request.HeaderValueAsync("authorization") ?? "", StringComparison.Ordinal);
            await Expect(page.GetByText(title).First).ToBeVisibleAsync();

            Assert.True(elsewhere.IsEmpty, "the page fetched from elsewhere than the API: " + string.Join(", ", elsewhere));
            Assert.True(cspViolations.IsEmpty, "CSP violations: " + string.Join(" | ", cspViolations));
        }
        finally
        {
            Directory.CreateDirectory(ArtifactsFolder);
            var screenshot = await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsFolder, "docs-page.png") });
            TestContext.Current.AddAttachment("docs-page.png", screenshot, "image/png");
        }
    }
}
