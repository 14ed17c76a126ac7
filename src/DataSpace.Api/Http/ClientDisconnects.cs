namespace DataSpace.Api.Http;

/// <summary>
/// A client that goes away mid-request (closed socket, reset stream) makes the next read or write throw; that is the
/// client's choice, not a fault of ours, so it is logged once at Information as "Client disconnected" instead of
/// reaching the exception handler as an unhandled error. Nothing is written to a client that is gone; one that only
/// half-closed (its body ended before its Content-Length) gets a 400 problem.
/// </summary>
internal static partial class ClientDisconnects
{
    public static IApplicationBuilder UseClientDisconnects(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientDisconnects).FullName!);
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when ((context.RequestAborted.IsCancellationRequested && CausedByTheClientLeaving(e)) || IsTruncatedBody(e))
            {
                Log(logger, context, e);
                if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                {
                    // Half-closed rather than gone: it may still read a reason.
                    await WriteTruncatedAsync(context);
                }
            }
        });
    }

    /// <summary>A cancellation or I/O failure, also when a library wraps it (a cancelled Npgsql command, a blob read).</summary>
    private static bool CausedByTheClientLeaving(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OperationCanceledException or IOException)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task WriteTruncatedAsync(HttpContext context)
    {
        try
        {
            await Problems.Problem.Of(StatusCodes.Status400BadRequest, Problems.ProblemCodes.BadRequest, "The request body ended early",
                "The body ended before its declared Content-Length; nothing was stored.").ExecuteAsync(context);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Gone after all.
        }
    }

    /// <summary>
    /// Kestrel's answer to a body that ended before its Content-Length: the client closed its side mid-upload, and
    /// Kestrel may report it before it marks the request aborted (the message is Kestrel's, it has no public reason code).
    /// </summary>
    private static bool IsTruncatedBody(Exception e) =>
        e is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad
        && bad.Message.StartsWith("Unexpected end of request content", StringComparison.Ordinal);

    /// <summary>For handlers that catch a disconnect themselves (a download cut mid-body): the same line, at the same level.</summary>
    public static void Log(ILogger logger, HttpContext context, Exception exception) =>
        LogDisconnected(logger, context.Request.Method, context.Request.Path.Value ?? "", exception);

    // The exception goes to the log as Information, with what was happening when the client left.
    [LoggerMessage(Level = LogLevel.Information, Message = "Client disconnected during {Method} {Path}")]
    private static partial void LogDisconnected(ILogger logger, string method, string path, Exception exception);
}
