namespace DataSpace.Api.Problems;

/// <summary>Builds RFC 9457 problems that always carry a stable <c>code</c>.</summary>
internal static class Problem
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                ext[key] = value;
            }
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: ext);
    }

    public static ProblemHttpResult NotFound(string code, string title, string? detail = null) =>
        Of(StatusCodes.Status404NotFound, code, title, detail);

    public static ProblemHttpResult Conflict(string code, string title, string? detail = null) =>
        Of(StatusCodes.Status409Conflict, code, title, detail);

    /// <summary>A 400 naming every offending field by its JSON name.</summary>
    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors, string? detail = null) =>
        Of(StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed, "The request has invalid fields",
            detail ?? "See errors: each member names a field by its JSON name.",
            new Dictionary<string, object?> { ["errors"] = errors });
}
