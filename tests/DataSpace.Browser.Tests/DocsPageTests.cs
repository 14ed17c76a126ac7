using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The /docs reference page in a real browser (Debian's Chromium, headless, driven by Playwright) against the API on a
/// loopback port: the page loads everything from the API itself, runs under its CSP, authorizes with a client's
/// credentials through the OAuth 2.0 client-credentials flow, and its try-it-out runs calls and shows their answers —
/// a catalog search, a file upload and its download. Screenshots: bin/…/artifacts/ beside the test assembly, and
/// attached to the test results.
/// </summary>
public sealed class DocsPageTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private const string FilesPath = "/v1/datasets/{id}/versions/{n}/files/{path}";

    [Fact]
    public async Task The_docs_page_authorizes_with_client_credentials_and_shows_a_call_it_ran()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("浏览器测试数源单位", "source_unit"));
        var title = "浏览器里看到的数据集 " + Guid.NewGuid().ToString("N")[..8];
        await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["样品.csv"] = "编号,功率\nGZ-001,12\n"u8.ToArray() }, title: title);
        var builder = await api.OrganizationAsync("浏览器测试模型公司", "model_builder");

        await using var docs = await DocsPage.OpenAsync(api.BaseAddress);
        try
        {
            // OAuth comes first: the sidebar's first group, beside the authentication card of the introduction.
            await Expect(docs.Page.Locator("[data-sidebar-id*='/tag/']").First).ToContainTextAsync("OAuth");
            await Expect(docs.Page.GetByLabel("Client ID").First).ToBeEmptyAsync(); // nothing prefilled
            Assert.Equal(200, await docs.AuthorizeAsync(builder));

            await docs.TryAsync("Catalog", "GET", "/v1/datasets");
            var call = await docs.SendAsync("GET", "/v1/datasets");
            Assert.Equal(200, call.Status);
            Assert.StartsWith("Bearer ", await call.Request.HeaderValueAsync("authorization") ?? "", StringComparison.Ordinal);
            await Expect(docs.Page.GetByText(title).First).ToBeVisibleAsync();
            docs.AssertSelfContained();
        }
        finally
        {
            await docs.ScreenshotAsync("docs-page.png");
        }
    }

    [Fact]
    public async Task Try_it_out_uploads_a_file_and_downloads_it()
    {
        var unitOrg = await api.OrganizationAsync("浏览器上传数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var dataset = await DatasetFlow.CreateAsync(unit);
        await DatasetFlow.OpenVersionAsync(unit, dataset);
        var content = "sample,watts\nGZ-" + Guid.NewGuid().ToString("N")[..8] + ",12\n";
        var file = new Dictionary<string, string> { ["id"] = dataset, ["n"] = "1", ["path"] = "sample.csv" };

        await using var docs = await DocsPage.OpenAsync(api.BaseAddress);
        try
        {
            Assert.Equal(200, await docs.AuthorizeAsync(unitOrg));

            // Upload: the request body is a binary file chosen in the page.
            await docs.TryAsync("Versions", "PUT", FilesPath, file);
            var chooser = await docs.Page.RunAndWaitForFileChooserAsync(() => docs.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Select File" }).First.ClickAsync());
            await chooser.SetFilesAsync(new Microsoft.Playwright.FilePayload { Name = "sample.csv", MimeType = "application/octet-stream", Buffer = System.Text.Encoding.UTF8.GetBytes(content) });
            var upload = await docs.SendAsync("PUT", $"/v1/datasets/{dataset}/versions/1/files/");
            Assert.True(upload.Status == 201, $"upload answered {upload.Status}: {await upload.TextAsync()}");
            await docs.ScreenshotAsync("docs-page-upload.png");
            await docs.CloseClientAsync();

            await DatasetFlow.CommitAsync(unit, dataset, 1);
            await DatasetFlow.PublishAsync(unit, dataset);

            // Download: the page shows the file it got.
            await docs.TryAsync("Downloads", "GET", FilesPath, file);
            var download = await docs.SendAsync("GET", $"/v1/datasets/{dataset}/versions/1/files/");
            Assert.Equal(200, download.Status);
            Assert.Equal(content, await download.TextAsync());
            await Expect(docs.Page.GetByText(content.Split('\n')[1]).First).ToBeVisibleAsync();
            docs.AssertSelfContained();
        }
        finally
        {
            await docs.ScreenshotAsync("docs-page-download.png");
        }
    }
}
