using System.Text.Json;
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
            // The framework's default "type" points at an RFC section; keep it, it is what RFC 9457 suggests for generic statuses.
        });
        services.AddExceptionHandler<ExceptionToProblem>();
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
        var (status, code, title, detail) = Classify(exception);
        if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }

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
