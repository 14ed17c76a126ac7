using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// Anyone checks a listing certificate in the console, signed in or not: its number, status, dataset, version, manifest
/// hash, validity and assessors, and downloads the canonical JSON the signatures are over.
/// </summary>
public sealed class ConsoleCertificateTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ShanghaiDate(int plusDays) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).AddDays(plusDays)
            .ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A listing verified through the API: a committed version, compliance and quality reports of a registered assessor, the bureau's verification.</summary>
    private async Task<(string Number, string Title, string Manifest)> CertificateAsync()
    {
        using var op = await api.OperatorClient();
        var assessorOrg = await api.OrganizationAsync("浏览器证书评估事务所", "assessor");
        await (await op.PostAsJsonAsync("/v1/assessors", new { organization_id = assessorOrg.OrganizationId, kinds = new[] { "compliance", "quality" } }, Ct)).AssertJson();
        using var owner = await api.ClientFor(await api.OrganizationAsync("浏览器证书数源单位", "source_unit"));
        using var assessor = await api.ClientFor(assessorOrg);
        using var reviewer = await api.ClientFor(await api.OrganizationAsync("浏览器证书数据局", "data_bureau"));
        var title = "挂牌证书数据集 " + Guid.NewGuid().ToString("N")[..6];
        var dataset = await DatasetFlow.CreateAsync(owner, DatasetFlow.ValidFields(title, "paid"));
        var version = await DatasetFlow.OpenVersionAsync(owner, dataset);
        await (await DatasetFlow.UploadAsync(owner, dataset, version, "出口.csv", "月份,出口额\n2026-01,100\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(owner, dataset, version);
        var manifest = (await (await owner.GetAsync($"/v1/datasets/{dataset}/versions/1", Ct)).AssertJson()).GetProperty("manifest_sha256").GetString()!;
        var reports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kind, grade) in new[] { ("compliance", "A"), ("quality", "B+") })
        {
            await (await owner.PostAsJsonAsync($"/v1/datasets/{dataset}/assessment-invitations", new { version = 1, assessor_id = assessorOrg.OrganizationId, kind }, Ct))
                .AssertJson(HttpStatusCode.Created);
            reports[kind] = (await (await assessor.PostAsJsonAsync($"/v1/datasets/{dataset}/versions/1/assessment-reports?kind={kind}", new
            {
                manifest_sha256 = manifest, grade, conclusion = "数据来源合法，处理合规，可流通交易。", report_number = $"GDHG-{kind}-" + Guid.NewGuid().ToString("N")[..4],
                document_sha256 = DatasetFlow.Sha256Hex(Guid.NewGuid().ToByteArray()), valid_until = ShanghaiDate(180),
            }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        var listing = (await (await owner.PostAsJsonAsync($"/v1/datasets/{dataset}/listings", new
        {
            version = 1, product_description = "灯饰出口月度明细数据产品说明书。", scenarios = new[] { "出口趋势预测模型训练" },
            compliance_report_id = reports["compliance"], quality_report_id = reports["quality"],
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await (await owner.PostAsync($"/v1/listings/{listing}/submit", null, Ct)).AssertJson();
        var verified = await (await reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertJson();
        return (verified.GetProperty("certificate_number").GetString()!, title, manifest);
    }

    [Fact]
    public async Task Anyone_checks_a_listing_certificate_and_downloads_its_canonical_json_and_an_unknown_number_is_explained()
    {
        var (number, title, manifest) = await CertificateAsync();
        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            // Signed out: the sign-in page links to the public check.
            await page.GetByRole(AriaRole.Link, new() { Name = "查验挂牌证书" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "查验挂牌证书" })).ToBeVisibleAsync();
            await page.GetByLabel("证书编号").FillAsync("DSL-1999-000000");
            await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
            Assert.StartsWith("找不到这个编号的挂牌证书。", await console.NoticeAsync(), StringComparison.Ordinal);

            await page.GetByLabel("证书编号").FillAsync(number);
            await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "挂牌证书 " + number })).ToBeVisibleAsync();
            await Expect(page.Locator("#notice")).ToBeEmptyAsync();
            await Expect(page.Locator("#certificate-status")).ToHaveTextAsync("有效");
            var facts = page.Locator("dl.facts");
            await Expect(facts).ToContainTextAsync(title);
            await Expect(facts).ToContainTextAsync("v1");
            await Expect(facts).ToContainTextAsync(manifest);
            await Expect(facts).ToContainTextAsync("浏览器证书数源单位");
            await Expect(facts).ToContainTextAsync("浏览器证书数据局");
            await Expect(facts).ToContainTextAsync("B+");
            var assessors = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "浏览器证书评估事务所" });
            await Expect(assessors).ToHaveCountAsync(2);
            await Expect(assessors.Filter(new() { HasText = "合规评估" })).ToContainTextAsync(ShanghaiDate(180));
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "SM2-SM3" })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("a listing certificate");
            await console.ScreenshotAsync("console-certificate.png");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "下载规范 JSON（签名原文）" }).ClickAsync());
            Assert.Equal(number + ".json", download.SuggestedFilename);
            var saved = Path.Combine(DocsPage.ArtifactsFolder, number + ".json");
            await download.SaveAsAsync(saved);
            using var anonymous = api.Anonymous();
            Assert.Equal(await anonymous.GetByteArrayAsync($"/v1/certificates/{number}/canonical", Ct), await File.ReadAllBytesAsync(saved, Ct));

            // In English too.
            await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
            await Expect(page.Locator("#certificate-status")).ToHaveTextAsync("valid");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download the canonical JSON (the signed bytes)" })).ToBeVisibleAsync();
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-certificates.png");
        }
    }
}
