namespace DataSpace.Api.Http;

/// <summary>
/// Headers that keep what the API serves from ever running as active content in a browser: nosniff everywhere (a
/// dataset file served as text/plain stays text), and a CSP that allows nothing (API responses and files are never
/// documents to render) except on the /docs reference page (<see cref="DocsPage"/>), which may run only its own scripts —
/// those served from this origin and the inline ones carrying this response's nonce — and talk only to this origin.
/// </summary>
internal static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    /// <summary>The reference page's policy; without a nonce (a static file of the page) no inline script may run.</summary>
    public static string DocsPolicy(string? nonce) =>
        "default-src 'self'; script-src 'self'" + (nonce is null ? "" : $" 'nonce-{nonce}'") + "; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The web console's policy: scripts and styles only from this origin's files (no inline script, no eval), requests
    /// only to this origin, no framing, no plugins.
    /// </summary>
    public const string ConsolePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // OnStarting, because the exception handler clears headers set earlier before it writes its problem.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments(DocsPage.Prefix, StringComparison.OrdinalIgnoreCase)
                ? DocsPolicy(DocsPage.Nonce(http))
                : Features.Console.ConsolePages.IsConsolePage(http.Request.Path) ? ConsolePolicy : ApiPolicy;
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
