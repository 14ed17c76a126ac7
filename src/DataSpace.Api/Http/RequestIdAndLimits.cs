using DataSpace.Api.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace DataSpace.Api.Http;

internal static class RequestIdAndLimits
{
    /// <summary>Default largest JSON body; endpoints that stream files declare their own limit.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// Echoes the request id (the id every log line of the request carries) as X-Request-Id, refuses a body whose
    /// declared length exceeds the endpoint's limit before a byte of it is read, and hands the same limit to Kestrel, which
    /// counts the bytes actually read: a chunked body (no Content-Length) fails at the limit with a 413 problem
    /// (BadHttpRequestException, mapped by ExceptionToProblem) instead of being read whole.
    /// </summary>
    public static IApplicationBuilder UseRequestIdAndLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // OnStarting, because the exception handler clears headers set earlier before it writes its problem.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers["X-Request-Id"] = http.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } meta ? meta.MaxRequestBodySize : DefaultMaxBodyBytes;
        if (limit is not null && context.Request.ContentLength > limit)
        {
            await Problem.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The request body is too large",
                $"This operation accepts bodies of at most {limit} bytes.").ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }

        await next(context);
    });
}
