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

    /// <summary>
    /// Follows hydra:next from <paramref name="url"/>, checking every page in both forms: the DCAT-AP 3 shapes pass, JSON-LD and
    /// Turtle hold the same triples, rdflib parses both. Returns the datasets of all pages and each page's Turtle.
    /// </summary>
    private static async Task<(List<string> Datasets, List<string> Pages)> HarvestAsync(HttpClient harvester, string? url)
    {
        var harvested = new List<string>();
        var pages = new List<string>();
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
            pages.Add(turtle);
            url = report.GetProperty("next").GetString() is { } next ? new Uri(next).PathAndQuery : null;
            Assert.True(pages.Count <= 10, "hydra:next never ended");
        }

        return (harvested, pages);
    }

    private static string Since(DateTimeOffset at) =>
        Uri.EscapeDataString(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture));

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
        var (harvested, pages) = await HarvestAsync(harvester, url);
        Assert.Equal(2, pages.Count);
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

    [Fact]
    public async Task Each_dataset_states_its_ODRL_offers_as_odrl_hasPolicy_and_a_single_offer_is_each_distributions_policy()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("DCAT ODRL 数源单位", "source_unit"));
        using var harvester = await api.ClientFor(await api.OrganizationAsync("ODRL 目录采集方", "authority"));
        var since = api.Clock.GetUtcNow();
        var open = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "x\n1\n"u8.ToArray() });
        var paid = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["b.csv"] = "y\n2\n"u8.ToArray() }, access: "paid");
        await (await unit.PutAsJsonAsync($"/v1/datasets/{paid}/terms", new
        {
            text = "仅限模型训练，不得转售。",
            policy = new { permission = new { purposes = new[] { "model_training" } }, prohibitions = new[] { "resale" } },
        }, Ct)).AssertJson();
        var plan = (await (await unit.PostAsJsonAsync($"/v1/datasets/{paid}/plans", new { kind = "one_time", price_fen = 199_900 }, Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;

        var (_, pages) = await HarvestAsync(harvester, $"/v1/catalog/dcat?modified_since={Since(since)}");
        var page = string.Concat(pages);
        var root = api.BaseAddress.ToString().TrimEnd('/');
        const string Offer = "a <http://www.w3.org/ns/odrl/2/Offer>, <http://www.w3.org/ns/odrl/2/Policy>";

        // The open dataset: one offer with the dataset's id, on the dataset and on its file's and its Croissant distributions.
        Assert.Contains($"<urn:uuid:{open}>\n    {Offer}", page, StringComparison.Ordinal);
        Assert.Equal(3, page.Split($"odrl:hasPolicy <urn:uuid:{open}>").Length - 1);

        // The paid dataset: the plan's offer, its price as the compensate duty and the terms' purpose and prohibition, as /odrl states them.
        Assert.Contains($"<urn:uuid:{plan}>\n    {Offer}", page, StringComparison.Ordinal);
        Assert.Equal(3, page.Split($"odrl:hasPolicy <urn:uuid:{plan}>").Length - 1);
        Assert.Contains($"odrl:target <{root}/v1/datasets/{paid}>", page, StringComparison.Ordinal);
        Assert.Contains("\"1999.00 CNY\"", page, StringComparison.Ordinal);
        Assert.Contains("odrl:action <http://www.w3.org/ns/odrl/2/sell>", page, StringComparison.Ordinal);
        Assert.Contains("odrl:rightOperand \"model_training\"", page, StringComparison.Ordinal);
        var odrl = JsonDocument.Parse(await (await harvester.GetAsync($"/v1/datasets/{paid}/odrl", Ct)).Content.ReadAsStringAsync(Ct)).RootElement;
        var stated = Assert.Single(odrl.GetProperty("@graph").EnumerateArray());
        Assert.Equal($"urn:uuid:{plan}", stated.GetProperty("@id").GetString());
        Assert.Equal($"{root}/v1/datasets/{paid}", stated.GetProperty("target").GetString());

        // A second plan: two offers on the dataset, and none on a distribution (DCAT-AP allows one policy per distribution).
        var second = (await (await unit.PostAsJsonAsync($"/v1/datasets/{paid}/plans", new { kind = "subscription", period = "P1M", price_fen = 9_900 }, Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        page = string.Concat((await HarvestAsync(harvester, $"/v1/catalog/dcat?modified_since={Since(since)}")).Pages);
        Assert.Matches($"odrl:hasPolicy <urn:uuid:({plan}|{second})>, <urn:uuid:({plan}|{second})>", page);
        Assert.Equal(4, page.Split("odrl:hasPolicy").Length - 1);
        Assert.Contains("odrl:rightOperand \"P1M\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incremental_harvest_after_a_withdrawal_finds_the_dataset_as_a_withdrawn_tombstone_with_a_deleted_catalog_record()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("DCAT 撤回数源单位", "source_unit"));
        using var harvester = await api.ClientFor(await api.OrganizationAsync("撤回 目录采集方", "authority"));
        var since = api.Clock.GetUtcNow();
        var kept = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "x\n1\n"u8.ToArray() });
        var gone = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["b.csv"] = "y\n2\n"u8.ToArray() });
        var root = api.BaseAddress.ToString().TrimEnd('/');

        var first = await HarvestAsync(harvester, $"/v1/catalog/dcat?modified_since={Since(since)}");
        Assert.Equal(new[] { kept, gone }.Select(id => $"{root}/v1/datasets/{id}").Order(StringComparer.Ordinal), first.Datasets.Order(StringComparer.Ordinal));
        Assert.Contains("<http://purl.org/adms/changetype/created>", first.Pages[0], StringComparison.Ordinal);
        var lastHarvest = api.Clock.GetUtcNow();
        await (await unit.PostAsync($"/v1/datasets/{gone}/withdraw", null, Ct)).AssertJson();

        var next = await HarvestAsync(harvester, $"/v1/catalog/dcat?modified_since={Since(lastHarvest)}");
        Assert.Equal([$"{root}/v1/datasets/{gone}"], next.Datasets);
        var page = Assert.Single(next.Pages);
        Assert.Contains($"<{root}/v1/datasets/{gone}#record>\n    a <http://www.w3.org/ns/dcat#CatalogRecord>", page, StringComparison.Ordinal);
        Assert.Contains("adms:status <http://purl.org/adms/changetype/deleted>", page, StringComparison.Ordinal);
        Assert.Contains("adms:status <http://purl.org/adms/status/Withdrawn>", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"dcat:dataset <{root}/v1/datasets/{gone}>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dcat:distribution", page, StringComparison.Ordinal);
        Assert.DoesNotContain("odrl:hasPolicy", page, StringComparison.Ordinal);

        // A full harvest (no modified_since) lists only what is published: the withdrawn dataset is simply absent.
        var full = await HarvestAsync(harvester, "/v1/catalog/dcat?limit=100");
        Assert.Contains($"{root}/v1/datasets/{kept}", full.Datasets);
        Assert.DoesNotContain($"{root}/v1/datasets/{gone}", full.Datasets);
    }
}
