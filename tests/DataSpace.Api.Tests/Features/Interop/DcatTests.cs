using System.Diagnostics;
using System.Net.Http.Headers;

namespace DataSpace.Api.Tests.Features.Interop;

public sealed class DcatTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> PageAsync(HttpClient client, string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(accept, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>Debian's rdflib parses the pages; returns triples per file.</summary>
    private static async Task<JsonElement> RdflibAsync(params string[] files)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { WorkingDirectory = TestEnvironment.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("tools/dcat-rdflib.py");
        foreach (var f in files)
        {
            start.ArgumentList.Add(f);
        }

        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing: run the tests with ./dataspace test (it installs python3-rdflib)");
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync(Ct);
        var stderr = python.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector
        await python.WaitForExitAsync(deadline.Token);
        Assert.True(python.ExitCode == 0, $"rdflib could not parse a page (python3-rdflib is installed by ./dataspace test): {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement;
    }

    [Fact]
    public async Task A_harvester_follows_hydra_next_through_pages_that_pass_the_DCAT_AP_3_shapes_and_parse_in_rdflib_and_modified_since_narrows_them()
    {
        var unitOrg = await api.OrganizationAsync("DCAT 数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var harvester = await api.ClientFor(await api.OrganizationAsync("省级数据目录采集方", "authority"));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["data/出口.csv"] = "城市,金额\n中山,1\n"u8.ToArray() },
                access: i == 0 ? "paid" : "open", title: $"DCAT 灯饰数据 {i} {Guid.NewGuid():N}"));
        }

        // Only what changed since the test began, two per page: other tests' datasets stay out.
        var url = $"/v1/catalog/dcat?modified_since={Uri.EscapeDataString(since.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture))}&limit=2";
        var harvested = new List<string>();
        var pages = 0;
        while (url is not null)
        {
            var json = await PageAsync(harvester, url, "application/ld+json");
            var turtle = await PageAsync(harvester, url, "text/turtle");
            var jsonFile = TestEnvironment.Scratch($"dcat-{Guid.NewGuid():N}.jsonld");
            var turtleFile = TestEnvironment.Scratch($"dcat-{Guid.NewGuid():N}.ttl");
            await File.WriteAllTextAsync(jsonFile, json, Ct);
            await File.WriteAllTextAsync(turtleFile, turtle, Ct);

            var check = await NodeTool.RunAsync("rdf-validate-shacl", ["tools/dcat-check.mjs", jsonFile, turtleFile], Ct);
            Assert.True(check.ExitCode == 0, check.Stderr);
            var report = JsonDocument.Parse(check.Stdout).RootElement;
            Assert.True(report.GetProperty("conforms").GetBoolean(), report.GetProperty("results").GetRawText());
            Assert.True(report.GetProperty("same_triples").GetBoolean());
            var parsed = await RdflibAsync(turtleFile, jsonFile);
            Assert.Equal(report.GetProperty("triples").GetInt32(), parsed.GetProperty(turtleFile).GetInt32());
            Assert.Equal(report.GetProperty("triples").GetInt32(), parsed.GetProperty(jsonFile).GetInt32());

            harvested.AddRange(report.GetProperty("datasets").EnumerateArray().Select(d => d.GetString()!));
            url = report.GetProperty("next").GetString() is { } next ? new Uri(next).PathAndQuery : null;
            pages++;
            Assert.True(pages <= 10, "hydra:next never ended");
        }

        Assert.Equal(2, pages);
        Assert.Equal(ids.Select(id => $"{api.BaseAddress.ToString().TrimEnd('/')}/v1/datasets/{id}").Order(StringComparer.Ordinal), harvested.Order(StringComparer.Ordinal));

        // The licence, publisher, theme, contact point and a checksummed distribution are there; the paid dataset's files carry no hash.
        var turtleAll = await PageAsync(harvester, $"/v1/catalog/dcat?modified_since={Uri.EscapeDataString(since.ToString("O"))}", "text/turtle");
        foreach (var term in new[] { "dct:license", "dct:publisher", "dcat:theme", "dcat:contactPoint", "spdx:checksumValue", "hydra:view", "http://www.w3.org/ns/hydra/core#PartialCollectionView", "dct:accrualPeriodicity" })
        {
            Assert.Contains(term, turtleAll, StringComparison.Ordinal);
        }

        Assert.Equal(2, turtleAll.Split("spdx:checksumValue").Length - 1);

        var later = await PageAsync(harvester, $"/v1/catalog/dcat?modified_since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}", "application/ld+json");
        Assert.DoesNotContain("dcat#Dataset\"", later, StringComparison.Ordinal);
        Assert.DoesNotContain("/v1/datasets/", later, StringComparison.Ordinal);
        await (await harvester.GetAsync("/v1/catalog/dcat?modified_since=yesterday", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }
}
