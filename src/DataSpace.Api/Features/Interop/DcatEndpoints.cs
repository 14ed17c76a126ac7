using DataSpace.Api.Auth;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Catalog;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Orders;
using DataSpace.Api.Features.Terms;
using DataSpace.Api.Features.Tokens;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Http;
using DataSpace.Api.Odrl;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;
using Microsoft.Extensions.Options;
using static DataSpace.Api.Features.Interop.RdfGraph;

namespace DataSpace.Api.Features.Interop;

/// <summary>
/// The catalogue of published datasets as DCAT-AP 3.0, for national and sector catalogues that harvest: JSON-LD or
/// Turtle by content negotiation, paged the Hydra way (hydra:PartialCollectionView with hydra:next), incremental with
/// <c>modified_since</c>. Each dataset carries its publisher, contact point, theme, licence, update frequency, access
/// rights, its ODRL offers (odrl:hasPolicy) and one distribution per file of its latest version (plus its Croissant document);
/// each dataset on a page has a catalogue record whose change type is created, updated or (a withdrawal) deleted.
/// </summary>
internal static class DcatEndpoints
{
    public const string Turtle = "text/turtle";
    public const string JsonLd = "application/ld+json";

    /// <summary>The catalogue's own name and publisher (the platform operator).</summary>
    private const string CatalogTitle = "中山市人工智能赋能平台 可信数据空间 数据目录";
    private const string PlatformName = "中山市人工智能赋能平台";

    private static readonly Dictionary<string, string> Frequencies = new(StringComparer.Ordinal)
    {
        ["once"] = "NEVER", ["daily"] = "DAILY", ["weekly"] = "WEEKLY", ["monthly"] = "MONTHLY", ["quarterly"] = "QUARTERLY",
        ["yearly"] = "ANNUAL", ["irregular"] = "IRREG",
    };

    public static IEndpointRouteBuilder MapDcatEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/catalog/dcat", GetPage).WithName("GetDcatCatalog").WithTags("Catalog")
            .RequireAuthorization(Policies.Catalog)
            .WithSummary("The catalogue of published datasets as DCAT-AP 3.0 (JSON-LD, or Turtle with Accept: text/turtle), one Hydra page at a time: " +
                "follow hydra:next; modified_since gives only datasets changed since then, for incremental harvesting, and those withdrawn since as tombstones " +
                "(adms:status Withdrawn, a dcat:CatalogRecord of change type deleted); each dataset states its ODRL offers as odrl:hasPolicy")
            .Produces<System.Text.Json.Nodes.JsonObject>(StatusCodes.Status200OK, JsonLd, Turtle)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> GetPage(
        HttpContext http, CatalogStore catalog, DatasetAccess datasets, VersionAccess versions, TermsStore terms, OrderStore orders, AccessStore access,
        IOptions<TokenOptions> tokens, CancellationToken ct,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "modified_since")] string? modifiedSince = null, string? cursor = null, int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        var since = Dates.ReadInstant(modifiedSince, "modified_since", v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // An incremental harvest also learns what was withdrawn since: those datasets come as tombstones (see AddTombstone).
        var rows = await catalog.ListAsync(http.User.OrganizationId(), false,
            new CatalogStore.Filter(null, null, null, null, since, after, size + 1, WithWithdrawn: since is not null), ct);
        var baseUrl = tokens.Value.IssuerFor(http);
        var graph = new RdfGraph();
        var catalogIri = baseUrl + "/v1/catalog/dcat";
        string PageUrl(string? c) => catalogIri + QueryString.Create(new Dictionary<string, string?>
        {
            ["modified_since"] = modifiedSince, ["cursor"] = c, ["limit"] = limit?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Where(p => p.Value is not null)).Value;

        var platform = baseUrl + "/#platform";
        graph.Type(catalogIri, "dcat:Catalog")
            .Add(catalogIri, "dct:title", Term.Text(CatalogTitle))
            .Add(catalogIri, "dct:description", Term.Text("已发布的开放与有偿数据集，按 DCAT-AP 3.0 描述，供国家和行业数据目录采集。"))
            .Add(catalogIri, "dct:publisher", Term.Node(platform));
        graph.Type(platform, "foaf:Agent").Add(platform, "foaf:name", Term.Text(PlatformName));
        var themes = baseUrl + "/v1/catalog/themes";
        graph.Type(themes, "skos:ConceptScheme").Add(themes, "dct:title", Term.Text("行业分类"));
        graph.Add(catalogIri, "dcat:themeTaxonomy", Term.Node(themes));

        var page = PageUrl(cursor);
        graph.Type(page, "hydra:PartialCollectionView").Add(catalogIri, "hydra:view", Term.Node(page)).Add(page, "hydra:first", Term.Node(PageUrl(null)));
        if (rows.Count > size)
        {
            graph.Add(page, "hydra:next", Term.Node(PageUrl(Paging.CursorFor(rows[size - 1].Id))));
        }

        // One query per kind of fact for the whole page, never one per dataset.
        var ids = rows.Take(size).Select(r => r.Id).ToArray();
        var found = (await datasets.FindManyAsync(ids, ct)).ToDictionary(d => d.Id);
        var live = found.Values.Where(d => d.Status == DatasetStatuses.Published).ToList();
        var liveIds = live.Select(d => d.Id).ToArray();
        var files = await versions.FilesOfAsync([.. live.Where(d => d.LatestVersion is not null).Select(d => (d.Id, d.LatestVersion!.Value))], ct);
        var policies = await terms.CurrentPoliciesAsync(liveIds, ct);
        var plans = (await orders.ActivePlansAsync([.. live.Where(d => d.Access == AccessModes.Paid).Select(d => d.Id)], ct)).ToLookup(p => p.DatasetId);
        var accessPolicies = await access.PoliciesAsync(liveIds, ct);
        foreach (var id in ids)
        {
            if (!found.TryGetValue(id, out var d))
            {
                continue;
            }

            var ds = $"{baseUrl}/v1/datasets/{d.Id}";
            if (d.Status != DatasetStatuses.Published)
            {
                AddTombstone(graph, catalogIri, ds, baseUrl, d.ToContract());
                continue;
            }

            var offers = OdrlOffers.For(d.Id, d.Access, ds, d.OwnerId, policies.GetValueOrDefault(d.Id), accessPolicies.GetValueOrDefault(d.Id) == AccessGate.Approval,
                [.. plans[d.Id].Select(p => new OdrlOffers.Plan(p.Id, p.PriceFen, p.Period))]);
            AddDataset(graph, catalogIri, ds, themes, baseUrl, d.ToContract(), d.LatestVersion, files.GetValueOrDefault(d.Id) ?? [], offers, since);
        }

        var wantsTurtle = http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(Turtle, StringComparison.OrdinalIgnoreCase) && a.Quality is null or > 0);
        http.Response.Headers.Vary = "Accept";
        return wantsTurtle
            ? TypedResults.Text(graph.ToTurtle(), Turtle, System.Text.Encoding.UTF8)
            : TypedResults.Text(graph.ToJsonLd().ToJsonString(), JsonLd, System.Text.Encoding.UTF8);
    }

    /// <summary>ADMS change types of catalogue records (http://purl.org/adms/changetype/), as DCAT-AP's CatalogRecord.status uses them.</summary>
    private const string ChangeType = "http://purl.org/adms/changetype/";

    /// <summary>
    /// A catalogue record of a dataset on this page, so that an incremental harvester reads in one place whether the dataset
    /// is new since its last harvest, changed, or gone (DCAT-AP's dcat:CatalogRecord with adms:status as change type).
    /// </summary>
    private static void AddRecord(RdfGraph graph, string catalogIri, string ds, DateTimeOffset modified, string change)
    {
        var record = ds + "#record";
        graph.Add(catalogIri, "dcat:record", Term.Node(record));
        graph.Type(ds, "dcat:Resource");
        graph.Type(record, "dcat:CatalogRecord")
            .Add(record, "foaf:primaryTopic", Term.Node(ds))
            .Add(record, "dct:modified", Term.Instant(modified))
            .Add(record, "adms:status", Concept(graph, ChangeType + change, change));
    }

    /// <summary>
    /// A withdrawn dataset on an incremental page: its record says <c>deleted</c> and the dataset itself carries ADMS status
    /// Withdrawn with its withdrawal time, its title and description (the mandatory members) and its publisher — no
    /// distributions and no offers, since nothing of it is offered any more. The catalogue no longer lists it as a dcat:dataset.
    /// </summary>
    private static void AddTombstone(RdfGraph graph, string catalogIri, string ds, string baseUrl, Contracts.Datasets.Dataset d)
    {
        var withdrawn = d.WithdrawnAt ?? d.UpdatedAt;
        AddRecord(graph, catalogIri, ds, withdrawn, "deleted");
        AddIdentity(graph, ds, baseUrl, d, withdrawn)
            .Add(ds, "adms:status", Concept(graph, "http://purl.org/adms/status/Withdrawn", "Withdrawn"));
    }

    /// <summary>What every dataset entry states, tombstones included: its class, id, title, description, publisher and modification time.</summary>
    private static RdfGraph AddIdentity(RdfGraph graph, string ds, string baseUrl, Contracts.Datasets.Dataset d, DateTimeOffset modified)
    {
        var publisher = $"{baseUrl}/v1/organizations/{d.Owner.Id}";
        graph.Type(publisher, "foaf:Agent").Add(publisher, "foaf:name", Term.Text(d.Owner.Name));
        return graph.Type(ds, "dcat:Dataset")
            .Add(ds, "dct:identifier", Term.Typed(d.Id, Xsd + "string"))
            .Add(ds, "dct:title", Term.Text(d.Title))
            .Add(ds, "dct:description", Term.Text(d.Description))
            .Add(ds, "dct:publisher", Term.Node(publisher))
            .Add(ds, "dct:modified", Term.Instant(modified));
    }

    private static void AddDataset(
        RdfGraph graph, string catalogIri, string ds, string themes, string baseUrl, Contracts.Datasets.Dataset d, int? version, IReadOnlyList<FileRow> files,
        IReadOnlyList<System.Text.Json.Nodes.JsonObject> offers, DateTimeOffset? since)
    {
        var publisher = $"{baseUrl}/v1/organizations/{d.Owner.Id}";
        var contact = publisher + "#contact";
        var theme = themes + "#" + Uri.EscapeDataString(d.Industry);
        graph.Add(catalogIri, "dcat:dataset", Term.Node(ds));
        AddRecord(graph, catalogIri, ds, d.UpdatedAt, since is { } s && d.PublishedAt < s ? "updated" : "created");
        AddIdentity(graph, ds, baseUrl, d, d.UpdatedAt)
            .Add(ds, "dcat:contactPoint", Term.Node(contact))
            .Add(ds, "dcat:theme", Term.Node(theme))
            .Add(ds, "dct:accrualPeriodicity", Typed(graph, "http://publications.europa.eu/resource/authority/frequency/" + Frequencies[d.UpdateFrequency], "dct:Frequency"))
            .Add(ds, "dct:accessRights", Typed(graph, "http://publications.europa.eu/resource/authority/access-right/" + (d.Access == AccessModes.Open ? "PUBLIC" : "RESTRICTED"), "dct:RightsStatement"));
        if (d.PublishedAt is { } published)
        {
            graph.Add(ds, "dct:issued", Term.Instant(published));
        }

        foreach (var tag in d.Tags)
        {
            graph.Add(ds, "dcat:keyword", Term.Text(tag));
        }

        if (version is { } number)
        {
            graph.Add(ds, "dcat:version", Term.Text(number.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
        }

        var provenance = ds + "#provenance";
        graph.Add(ds, "dct:provenance", Term.Node(provenance)).Type(provenance, "dct:ProvenanceStatement")
            .Add(provenance, "rdfs:label", Term.Text($"来源类型 {d.Provenance.SourceType}；采集方式 {d.Provenance.CollectionMethod}；法律依据 {d.Provenance.LegalBasis}"));
        graph.Type(contact, "vcard:Kind").Type(contact, "vcard:Organization").Add(contact, "vcard:fn", Term.Text(d.Owner.Name));
        graph.Type(theme, "skos:Concept").Add(theme, "skos:prefLabel", Term.Text(d.Industry)).Add(theme, "skos:inScheme", Term.Node(themes));
        var licence = ds + "#licence";
        graph.Type(licence, "dct:LicenseDocument").Add(licence, "rdfs:label", Term.Text(d.Licence));
        foreach (var offer in offers)
        {
            var id = AddOffer(graph, offer);
            graph.Add(ds, "odrl:hasPolicy", Term.Node(id));
        }

        // DCAT-AP allows one policy per distribution: each states the dataset's offer when it has exactly one (a free
        // dataset, or a paid one with one plan); with several plans the offers are on the dataset only.
        var single = offers.Count == 1 ? (string)offers[0]["@id"]! : null;

        foreach (var f in files)
        {
            var url = $"{ds}/versions/{version}/files/{string.Join('/', f.Path.Split('/').Select(Uri.EscapeDataString))}";
            graph.Add(ds, "dcat:distribution", Term.Node(url));
            graph.Type(url, "dcat:Distribution")
                .Add(url, "dct:title", Term.Text(f.Path, null))
                .Add(url, "dcat:accessURL", Typed(graph, url, "rdfs:Resource"))
                .Add(url, "dcat:downloadURL", Term.Node(url))
                .Add(url, "dcat:byteSize", Term.Typed(f.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), Xsd + "nonNegativeInteger"))
                .Add(url, "dcat:mediaType", Typed(graph, "http://www.iana.org/assignments/media-types/" + f.ContentType.Split(';')[0].Trim(), "dct:MediaType"))
                .Add(url, "dct:license", Term.Node(licence));
            if (single is not null)
            {
                graph.Add(url, "odrl:hasPolicy", Term.Node(single));
            }

            // Hashes follow the preview policy's default: published open datasets show them to everyone, paid ones do not here.
            if (d.Access == AccessModes.Open)
            {
                var checksum = url + "#sha256";
                graph.Add(url, "spdx:checksum", Term.Node(checksum)).Type(checksum, "spdx:Checksum")
                    .Add(checksum, "spdx:algorithm", Typed(graph, Expand("spdx:checksumAlgorithm_sha256"), "spdx:ChecksumAlgorithm"))
                    .Add(checksum, "spdx:checksumValue", Term.Typed(Convert.ToHexStringLower(f.Sha256), Xsd + "hexBinary"));
            }
        }

        if (version is not null)
        {
            var croissant = $"{ds}/versions/{version}/croissant";
            graph.Add(ds, "dcat:distribution", Term.Node(croissant));
            graph.Type(croissant, "dcat:Distribution")
                .Add(croissant, "dct:title", Term.Text("Croissant 1.0 metadata", "en"))
                .Add(croissant, "dcat:accessURL", Typed(graph, croissant, "rdfs:Resource"))
                .Add(croissant, "dcat:mediaType", Typed(graph, "http://www.iana.org/assignments/media-types/application/ld+json", "dct:MediaType"))
                .Add(croissant, "dct:conformsTo", Typed(graph, "http://mlcommons.org/croissant/1.0", "dct:Standard"))
                .Add(croissant, "dct:license", Term.Node(licence));
            if (single is not null)
            {
                graph.Add(croissant, "odrl:hasPolicy", Term.Node(single));
            }
        }
    }

    /// <summary>An ODRL offer of the dataset (the same one its /odrl document states), as triples; returns its IRI.</summary>
    private static string AddOffer(RdfGraph graph, System.Text.Json.Nodes.JsonObject offer)
    {
        foreach (var t in OdrlOffers.Triples(offer))
        {
            graph.Add(t.Subject, t.Predicate, t.Iri is { } iri ? Term.Node(iri) : new Term(null, t.Literal));
        }

        return (string)offer["@id"]!;
    }

    /// <summary>A code of an outside vocabulary as a skos:Concept with its English label (the DCAT-AP shapes want one).</summary>
    private static Term Concept(RdfGraph graph, string iri, string label)
    {
        graph.Add(iri, "skos:prefLabel", Term.Text(label, "en"));
        return Typed(graph, iri, "skos:Concept");
    }

    /// <summary>
    /// An IRI object typed with the class the DCAT-AP shapes expect of it (they check rdf:type, with no inference), so
    /// that a harvester validating the page alone finds each object's class in it.
    /// </summary>
    private static Term Typed(RdfGraph graph, string iri, string compactClass)
    {
        graph.Type(iri, compactClass);
        return Term.Node(iri);
    }
}
