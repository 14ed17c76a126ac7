using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace DataSpace.Api.Problems;

internal static class ProblemHandling
{
    public static IServiceCollection AddDataSpaceProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", ProblemCodes.ForStatus(status));
            problem.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
            problem.Instance ??= context.HttpContext.Request.Path;
            context.HttpContext.RequestServices.GetRequiredService<ProblemCodeRecorder>().Record(context.HttpContext, status, problem.Extensions["code"]);
            // The framework's default "type" points at an RFC section; keep it, it is what RFC 9457 suggests for generic statuses.
        });
        services.AddExceptionHandler<ExceptionToProblem>();
        services.AddSingleton<ProblemCodeRecorder>();
        return services;
    }
}

/// <summary>
/// Maps the framework's request-reading failures to problems with stable codes, and every other exception to a
/// 500 (or 503 when the database is unreachable) that never shows a stack trace.
/// </summary>
internal sealed partial class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (UnknownMember(exception) is { } member)
        {
            return await WriteAsync(httpContext, exception, 400, ProblemCodes.UnknownMember, "The request body has a member this operation does not know",
                $"'{member}' is not a member of this request body; check its spelling against the API reference. Nothing was changed.",
                new Dictionary<string, string[]> { [member] = ["is not a member of this request body"] });
        }

        if (UnreadableParameter(exception) is { } parameter)
        {
            return await WriteAsync(httpContext, exception, 400, ProblemCodes.ValidationFailed, "The request has invalid fields",
                $"The parameter '{parameter.Name}' must be {parameter.Expected}; '{parameter.Value}' is not.",
                new Dictionary<string, string[]> { [parameter.Name] = [$"must be {parameter.Expected}"] });
        }

        var (status, code, title, detail) = Classify(exception);
        if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        return await WriteAsync(httpContext, exception, status, code, title, detail, null);
    }

    private async ValueTask<bool> WriteAsync(HttpContext httpContext, Exception exception, int status, string code, string title, string? detail,
        Dictionary<string, string[]>? errors)
    {
        httpContext.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Extensions = { ["code"] = code },
        };
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>
    /// The JSON name of a body member that matches nothing (the API's JSON options disallow unmapped members, so a typo
    /// is refused instead of silently doing nothing). System.Text.Json says so only in its message.
    /// </summary>
    private static string? UnknownMember(Exception exception)
    {
        var json = exception as JsonException ?? exception.InnerException as JsonException;
        if (json is null || UnmappedMemberMessage().Match(json.Message) is not { Success: true } match)
        {
            return null;
        }

        // Path is "$.member" (or "$.outer.member" for a nested record): name the member where the client wrote it.
        return json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : match.Groups["name"].Value;
    }

    /// <summary>
    /// A route or query value the framework could not convert, in plain words: the framework's own message names
    /// .NET types such as Nullable&lt;int&gt;, which mean nothing to a client.
    /// </summary>
    private static (string Name, string Expected, string Value)? UnreadableParameter(Exception exception)
    {
        if (exception is not BadHttpRequestException bad || BindFailureMessage().Match(bad.Message) is not { Success: true } match)
        {
            return null;
        }

        var type = match.Groups["type"].Value;
        if (type.StartsWith("Nullable<", StringComparison.Ordinal))
        {
            type = type["Nullable<".Length..^1];
        }

        var expected = type switch
        {
            "int" or "Int32" or "long" or "Int64" or "short" or "Int16" => "a whole number written with digits, e.g. 20",
            "bool" or "Boolean" => "true or false",
            "Guid" => "a UUID, e.g. 0b7c2f4e-3d9a-4c1e-9f50-6a2b8e1d4c3f",
            "DateOnly" => "a date written YYYY-MM-DD",
            "DateTimeOffset" or "DateTime" => "an RFC 3339 timestamp with offset, e.g. 2026-01-31T08:00:00+08:00",
            _ => "a valid value",
        };
        return (match.Groups["name"].Value, expected, match.Groups["value"].Value);
    }

    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any \\.NET member", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedMemberMessage();

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ ]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex BindFailureMessage();

    private static (int Status, string Code, string Title, string? Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } =>
            (400, ProblemCodes.MalformedJson, "The request body is not valid JSON for this operation", DescribeJson(json)),
        JsonException json =>
            (400, ProblemCodes.MalformedJson, "The request body is not valid JSON for this operation", DescribeJson(json)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, ProblemCodes.PayloadTooLarge, "The request body is too large", exception.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."),
        BadHttpRequestException bad when bad.Message.Contains("JSON", StringComparison.OrdinalIgnoreCase) =>
            (bad.StatusCode, ProblemCodes.MalformedJson, "The request body is not valid JSON for this operation", bad.Message),
        BadHttpRequestException bad =>
            (bad.StatusCode, ProblemCodes.ForStatus(bad.StatusCode), "Bad request", bad.Message),
        Storage.BlobStoreUnavailableException =>
            (503, ProblemCodes.BlobStoreUnavailable, "The file store is unavailable", "Nothing was recorded. Try again shortly."),
        NpgsqlException { IsTransient: true } or TimeoutException =>
            (503, ProblemCodes.DatabaseUnavailable, "The database is unavailable", "Try again shortly."),
        _ => (500, ProblemCodes.InternalError, "An unexpected error occurred",
            "The error was logged with this problem's request_id; quote it when you report the problem."),
    };

    // JsonException names the JSON path and position; that is what a client needs to find its mistake.
    private static string DescribeJson(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The value at '{path}' (line {json.LineNumber + 1}, byte {json.BytePositionInLine}) could not be read: it is malformed or of the wrong type."
            : "The body could not be parsed as JSON.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
