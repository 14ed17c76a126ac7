using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Problems;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataSpace.Api.OpenApi;

/// <summary>
/// The problem codes each operation answers, by status, so that a generated client and the docs page show, on each
/// problem response, exactly which <c>code</c>s to expect there. The lists are what the test suite saw every operation
/// answer (<c>problem-codes.json</c>, written by <c>./dataspace problem-codes</c> from a run of every test with
/// <see cref="ProblemCodeRecorder"/> on), plus the codes any operation of its kind can answer: 401 and 403 on a protected
/// operation, a malformed or unknown-member body on one that reads JSON.
/// </summary>
internal static class ProblemCatalog
{
    /// <summary>Operation id → status → codes, as recorded.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>> Recorded { get; } = Load();

    private static Dictionary<string, IReadOnlyDictionary<string, string[]>> Load()
    {
        using var stream = typeof(ProblemCatalog).Assembly.GetManifestResourceStream("problem-codes.json")
            ?? throw new InvalidOperationException("The problem-codes.json resource is missing from the build.");
        var root = JsonNode.Parse(stream)!["operations"]!.AsObject();
        return root.ToDictionary(o => o.Key, o => (IReadOnlyDictionary<string, string[]>)o.Value!.AsObject()
            .ToDictionary(s => s.Key, s => s.Value!.AsArray().Select(c => c!.GetValue<string>()).ToArray()), StringComparer.Ordinal);
    }

    /// <summary>What every operation of a kind may answer besides what it was seen to.</summary>
    private static IEnumerable<(string Status, string Code)> Universal(OpenApiOperation operation, string method, bool isProtected)
    {
        if (isProtected)
        {
            yield return ("401", ProblemCodes.AuthenticationRequired);
            yield return ("401", ProblemCodes.InvalidToken);
            yield return ("403", ProblemCodes.RoleRequired);
            yield return ("403", ProblemCodes.InsufficientScope);
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
            {
                yield return ("403", ProblemCodes.CsrfTokenInvalid);
            }
        }

        if (operation.RequestBody?.Content?.ContainsKey("application/json") == true)
        {
            yield return ("400", ProblemCodes.MalformedJson);
            yield return ("400", ProblemCodes.UnknownMember);
        }
    }

    public static OpenApiOptions AddProblemCatalog(this OpenApiOptions options) => options.AddOperationTransformer(async (operation, context, ct) =>
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var isProtected = !metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any() && metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any();
        var method = context.Description.HttpMethod ?? "GET";
        var codes = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (status, code) in Universal(operation, method, isProtected))
        {
            Add(codes, status, code);
        }

        if (operation.OperationId is { } id && Recorded.TryGetValue(id, out var recorded))
        {
            foreach (var (status, list) in recorded)
            {
                foreach (var code in list)
                {
                    Add(codes, status, code);
                }
            }
        }

        if (codes.Count == 0)
        {
            return;
        }

        // Registered as the shared component, then referred to: every problem response points at the one ProblemDetails.
        await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), null, ct);
        var problem = new OpenApiSchemaReference("ProblemDetails", context.Document);
        operation.Responses ??= [];
        foreach (var (status, set) in codes)
        {
            if (!operation.Responses.TryGetValue(status, out var response))
            {
                response = new OpenApiResponse
                {
                    Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)),
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
                };
                operation.Responses[status] = response;
            }

            if (response is not OpenApiResponse concrete || concrete.Content?.TryGetValue("application/problem+json", out var media) != true || media is null)
            {
                continue;
            }

            // The problem as everywhere, with the codes this operation answers with this status.
            media.Schema = new OpenApiSchema
            {
                AllOf =
                [
                    problem,
                    new OpenApiSchema
                    {
                        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                        {
                            ["code"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Description = $"The codes this operation answers with status {status}.",
                                Enum = [.. set.Select(c => (JsonNode)JsonValue.Create(c))],
                            },
                        },
                    },
                ],
            };
            concrete.Description = $"{concrete.Description} (code: {string.Join(", ", set)})";
        }
    });

    private static void Add(SortedDictionary<string, SortedSet<string>> codes, string status, string code)
    {
        if (!codes.TryGetValue(status, out var set))
        {
            codes[status] = set = new SortedSet<string>(StringComparer.Ordinal);
        }

        set.Add(code);
    }
}
