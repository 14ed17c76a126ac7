using System.Diagnostics;

namespace DataSpace.Api.Http;

/// <summary>
/// One log line per request once it has been answered: method, path (never the query string, where a careless client
/// may put a token), route template, status, duration and request id. The framework's own per-request lines
/// (Microsoft.AspNetCore.Hosting.Diagnostics) stay at Warning in the default settings.
/// </summary>
internal static partial class RequestLogging
{
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("DataSpace.Requests");
        return app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "-";
                var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
                var ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
                LogRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", route, status, ms, context.TraceIdentifier);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} ({Route}) answered {Status} in {DurationMs} ms [{RequestId}]")]
    private static partial void LogRequest(ILogger logger, string method, string path, string route, int status, double durationMs, string requestId);
}
