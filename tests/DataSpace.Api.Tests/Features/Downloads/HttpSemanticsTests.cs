using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace DataSpace.Api.Tests.Features.Downloads;

/// <summary>
/// Conditional and header-only reads (RFC 9110 weak comparison for If-None-Match; HEAD and 304 under consent are
/// audited), digests on upload (every declared digest must match), and the headers that keep served bytes inert.
/// </summary>
public sealed class HttpSemanticsTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_weak_If_None_Match_matches_the_strong_ETag()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("弱校验数源单位", "source_unit"));
        using var reader = await api.ClientFor(await api.OrganizationAsync("弱校验读者", "model_builder"));
        var content = "a,b\n1,2\n"u8.ToArray();
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = content });
        var etag = $"\"{DatasetFlow.Sha256Hex(content)}\"";

        foreach (var (header, expected) in new[]
        {
            ($"W/{etag}", HttpStatusCode.NotModified), (etag, HttpStatusCode.NotModified), ($"\"other\", W/{etag}", HttpStatusCode.NotModified),
            ("*", HttpStatusCode.NotModified), ("W/\"other\"", HttpStatusCode.OK), ("not a tag", HttpStatusCode.OK),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, "a.csv"));
            request.Headers.TryAddWithoutValidation("If-None-Match", header);
            Assert.True(expected == (await reader.SendAsync(request, Ct)).StatusCode, header);
        }
    }

    [Fact]
    public async Task HEAD_and_304_reads_under_consent_are_audited()
    {
        var unitOrg = await api.OrganizationAsync("头部读取数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("头部读取主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var content = "x\n1\n"u8.ToArray();
        var paid = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["p.csv"] = content }, "paid");
        var consent = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"]));
        var url = DatasetFlow.FileUrl(paid, 1, "p.csv");

        using (var head = new HttpRequestMessage(HttpMethod.Head, url))
        {
            Assert.Equal(HttpStatusCode.OK, (await authority.SendAsync(head, Ct)).StatusCode);
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, url))
        {
            conditional.Headers.TryAddWithoutValidation("If-None-Match", $"\"{DatasetFlow.Sha256Hex(content)}\"");
            Assert.Equal(HttpStatusCode.NotModified, (await authority.SendAsync(conditional, Ct)).StatusCode);
        }

        var events = (await (await unit.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == "file" && e.GetProperty("action").GetString() != "uploaded").ToList();
        Assert.Equal(["headers_read", "not_modified"], events.Select(e => e.GetProperty("action").GetString()).Order());
        Assert.All(events, e => Assert.Equal(consent, e.GetProperty("basis").GetProperty("id").GetString()));
        Assert.All(events, e => Assert.Equal(authorityOrg.OrganizationId, e.GetProperty("actor").GetProperty("organization_id").GetString()));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task An_upload_whose_Content_Digest_and_Repr_Digest_disagree_is_refused(bool contentDigestRight, bool reprDigestRight)
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("双摘要数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        var content = "digest\n"u8.ToArray();
        string Digest(bool right) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(right ? content : "other"u8.ToArray()))}:";
        using var request = new HttpRequestMessage(HttpMethod.Put, DatasetFlow.FileUrl(id, version, "d.csv")) { Content = new ByteArrayContent(content) };
        request.Content.Headers.TryAddWithoutValidation("Content-Digest", Digest(contentDigestRight));
        request.Headers.TryAddWithoutValidation("Repr-Digest", Digest(reprDigestRight));

        await (await owner.SendAsync(request, Ct)).AssertProblem(HttpStatusCode.BadRequest, "digest_mismatch");
        Assert.Equal(0, (await (await owner.GetAsync($"/v1/datasets/{id}/versions/{version}", Ct)).AssertJson()).GetProperty("files").GetArrayLength());
    }

    [Fact]
    public async Task Responses_are_nosniff_without_a_Server_header_and_files_never_render_inline()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("活动内容数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        await (await DatasetFlow.UploadAsync(owner, id, version, "page.html", "<script>alert(1)</script>"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await (await DatasetFlow.UploadAsync(owner, id, version, "image.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray())).AssertJson(HttpStatusCode.Created);

        foreach (var path in new[] { "page.html", "image.svg" })
        {
            var file = await owner.GetAsync(DatasetFlow.FileUrl(id, version, path), Ct);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.StartsWith(path.EndsWith(".html", StringComparison.Ordinal) ? "text/html" : "image/svg+xml", file.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.Equal("attachment", file.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("sandbox", file.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.False(file.Headers.Contains("Server"));
        }

        using var anonymous = api.Anonymous();
        foreach (var response in new[] { await anonymous.GetAsync("/v1/datasets", Ct), await owner.GetAsync($"/v1/datasets/{Guid.NewGuid()}", Ct) })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.False(response.Headers.Contains("Server"));
        }

        var docs = await anonymous.GetAsync("/docs/", Ct);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var csp = docs.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        // Inline scripts run only with this response's nonce (the page's own), never 'unsafe-inline'.
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", scriptSrc, StringComparison.Ordinal);
        var nonce = System.Text.RegularExpressions.Regex.Match(scriptSrc, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"nonce=\"{nonce}\"", await docs.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.False(docs.Headers.Contains("Server"));
    }
}
