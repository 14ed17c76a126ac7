using System.Globalization;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Previews;
using DataSpace.Api.Features.Tokens;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Versions;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Interop;

/// <summary>
/// Croissant 1.0 (MLCommons) metadata of a committed version, for ML tools (Hugging Face, Kaggle, OpenML, TFDS read it):
/// one FileObject per file (and per Parquet rendition), one RecordSet per profiled table with a Field per column. What a
/// caller who may not read the files sees follows the preview policy (<see cref="ManifestAccess"/>), as on the manifest.
/// </summary>
internal static class CroissantEndpoints
{
    public const string MediaType = "application/ld+json";

    /// <summary>The recommended Croissant 1.0 context (interop/croissant/context-1.0.jsonld), with @language zh-Hans.</summary>
    private static readonly Lazy<string> Context = new(() =>
    {
        using var stream = typeof(CroissantEndpoints).Assembly.GetManifestResourceStream("croissant-context-1.0.jsonld")!;
        var document = JsonNode.Parse(stream)!;
        var context = document["@context"]!.AsObject();
        context["@language"] = "zh-Hans";
        return context.ToJsonString();
    });

    public static IEndpointRouteBuilder MapCroissantEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/datasets/{id}/versions/{n}/croissant", GetCroissant).WithName("GetCroissant").WithTags("Datasets")
            .RequireAuthorization(Policies.Catalog)
            .WithSummary("Croissant 1.0 (JSON-LD) metadata of a committed version: FileObjects with SHA-256, size and content URL, the Parquet " +
                "renditions, a RecordSet per profiled table with its Fields; hashes follow the preview policy for callers who may not read the files")
            .Produces<JsonObject>(StatusCodes.Status200OK, MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetCroissant(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionAccess versions, ManifestAccess manifests, IOptions<TokenOptions> tokens, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var (version, versionProblem) = await versions.ResolveAsync(dataset, n, http, ct);
        if (version is null)
        {
            return versionProblem!;
        }

        if (version.Status != VersionStatuses.Committed)
        {
            return Problem.NotFound(ProblemCodes.VersionNotFound, "Version not committed", $"Croissant describes committed versions; version {version.Number} is a draft.");
        }

        var view = await manifests.ForAsync(dataset, version.Number, http, ct);
        var files = (await versions.FilesAsync(dataset.Id, version.Number, ct)).Select(f => view.Apply(f.ToContract())).ToList();
        var document = Build(dataset.ToContract(), version.ToContract(), files, tokens.Value.IssuerFor(http));
        return TypedResults.Text(document.ToJsonString(), MediaType, System.Text.Encoding.UTF8);
    }

    internal static JsonObject Build(Contracts.Datasets.Dataset d, DatasetVersion v, IReadOnlyList<VersionFile> files, string baseUrl)
    {
        var datasetUrl = $"{baseUrl}/v1/datasets/{d.Id}";
        string FileUrl(string path, bool parquet) =>
            $"{datasetUrl}/versions/{v.Number}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}{(parquet ? "?format=parquet" : "")}";
        var owner = new JsonObject { ["@type"] = "sc:Organization", ["name"] = d.Owner.Name, ["identifier"] = d.Owner.Id };
        var distribution = new JsonArray();
        var recordSets = new JsonArray();
        foreach (var f in files)
        {
            distribution.Add(FileObject(f.Path, f.Path, FileUrl(f.Path, false), f.ContentType, f.Size, f.Sha256));
            var profile = f.Profile;
            var rendition = profile?.ParquetRendition is { Status: RenditionStatuses.Done } r ? r : null;
            if (rendition is not null)
            {
                distribution.Add(FileObject(f.Path + ".parquet", f.Path + " (Parquet)", FileUrl(f.Path, true), "application/x-parquet", rendition.Size, rendition.Sha256));
            }

            if (profile is { Status: ProfileStatuses.Done, Columns: { Count: > 0 } columns } && profile.Format is "csv" or "tsv" or "jsonl" or "parquet")
            {
                var jsonl = profile.Format == "jsonl";
                var fields = new JsonArray();
                foreach (var c in columns)
                {
                    fields.Add(new JsonObject
                    {
                        ["@type"] = "cr:Field",
                        ["@id"] = f.Path + "/" + c.Name,
                        ["name"] = c.Name,
                        ["dataType"] = DataType(c.Type),
                        ["source"] = new JsonObject
                        {
                            ["fileObject"] = new JsonObject { ["@id"] = f.Path },
                            ["extract"] = jsonl ? new JsonObject { ["jsonPath"] = "$." + c.Name } : new JsonObject { ["column"] = c.Name },
                        },
                    });
                }

                recordSets.Add(new JsonObject
                {
                    ["@type"] = "cr:RecordSet",
                    ["@id"] = f.Path,
                    ["name"] = f.Path,
                    ["description"] = string.Create(CultureInfo.InvariantCulture, $"{profile.RowCount} rows, {profile.ColumnCount} columns ({profile.Format})."),
                    ["field"] = fields,
                });
            }
        }

        var provenance = d.Provenance;
        var document = new JsonObject
        {
            ["@context"] = JsonNode.Parse(Context.Value),
            ["@type"] = "sc:Dataset",
            ["@id"] = $"{datasetUrl}/versions/{v.Number}",
            ["conformsTo"] = "http://mlcommons.org/croissant/1.0",
            ["name"] = d.Title,
            ["description"] = d.Description,
            ["license"] = d.Licence,
            ["url"] = datasetUrl,
            ["version"] = string.Create(CultureInfo.InvariantCulture, $"{v.Number}.0.0"),
            ["creator"] = owner,
            ["publisher"] = owner.DeepClone(),
            ["datePublished"] = (v.CommittedAt ?? v.CreatedAt).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            ["keywords"] = new JsonArray([.. d.Tags.Prepend(d.Industry).Select(t => (JsonNode)t!)]),
            ["isAccessibleForFree"] = d.Access == AccessModes.Open,
            ["rai:dataCollection"] = provenance.CollectionMethod,
            ["rai:dataCollectionType"] = provenance.SourceType,
            ["isBasedOn"] = new JsonArray([.. (provenance.Lineage ?? []).Select(p => (JsonNode)$"{baseUrl}/v1/datasets/{p}"!)]),
            ["distribution"] = distribution,
            ["recordSet"] = recordSets,
        };
        if (provenance.CollectionPeriod is { } period)
        {
            document["rai:dataCollectionTimeframe"] = new JsonArray([.. new[] { period.Start, period.End }.Where(x => x is not null).Select(x => (JsonNode)x!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)!)]);
        }

        if (v.ManifestSha256 is { } manifest && files.All(f => f.Sha256 is not null))
        {
            // Croissant has no member for a manifest hash; schema.org identifier carries it (hidden with the file hashes).
            document["identifier"] = "sha256:" + manifest;
        }

        return document;
    }

    private static JsonObject FileObject(string id, string name, string url, string encodingFormat, long? size, string? sha256)
    {
        var file = new JsonObject
        {
            ["@type"] = "cr:FileObject",
            ["@id"] = id,
            ["name"] = name,
            ["contentUrl"] = url,
            ["encodingFormat"] = encodingFormat,
        };
        if (size is { } bytes)
        {
            file["contentSize"] = bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        if (sha256 is not null)
        {
            file["sha256"] = sha256;
        }

        return file;
    }

    private static string DataType(string profileType) => profileType switch
    {
        "integer" => "sc:Integer",
        "decimal" or "number" => "sc:Float",
        "boolean" => "sc:Boolean",
        "date" => "sc:Date",
        "timestamp" => "sc:DateTime",
        _ => "sc:Text",
    };
}
