namespace DataSpace.Api.Features.Console;

/// <summary>
/// Serves the web console's static files from wwwroot: <c>/</c> is its page, <c>/ui/…</c> its ES modules and styles.
/// They go out before authentication (they hold no data; every datum comes from the API under the session), with
/// <c>no-cache</c> so a deployed change is picked up on the next load (revalidated by ETag).
/// </summary>
internal static class ConsolePages
{
    public const string AssetsPrefix = "/ui";

    public static bool IsConsolePage(PathString path) =>
        path == "/" || path == "/index.html" || path.StartsWithSegments(AssetsPrefix, StringComparison.Ordinal);

    public static IApplicationBuilder UseConsolePages(this IApplicationBuilder app)
    {
        app.UseDefaultFiles();
        return app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
    }
}
