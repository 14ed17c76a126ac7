namespace DataSpace.Api.Http;

/// <summary>
/// A client that goes away mid-request (closed socket, reset stream) makes the next read or write throw; that is the
/// client's choice, not a fault of ours, so it is logged once at Information as "Client disconnected" instead of
/// reaching the exception handler as an unhandled error. Nothing is written: there is nobody left to read it.
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
            catch (Exception e) when (context.RequestAborted.IsCancellationRequested && CausedByTheClientLeaving(e))
            {
                Log(logger, context, e);
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

    /// <summary>For handlers that catch a disconnect themselves (a download cut mid-body): the same line, at the same level.</summary>
    public static void Log(ILogger logger, HttpContext context, Exception exception) =>
        LogDisconnected(logger, context.Request.Method, context.Request.Path.Value ?? "", exception);

    // The exception goes to the log as Information, with what was happening when the client left.
    [LoggerMessage(Level = LogLevel.Information, Message = "Client disconnected during {Method} {Path}")]
    private static partial void LogDisconnected(ILogger logger, string method, string path, Exception exception);
}
