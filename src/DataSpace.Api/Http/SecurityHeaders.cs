namespace DataSpace.Api.Http;

/// <summary>
/// Headers that keep what the API serves from ever running as active content in a browser: nosniff everywhere (a
/// dataset file served as text/plain stays text), and a CSP that allows nothing (API responses and files are never
/// documents to render) except on the /docs reference page, which may run its own scripts and styles only.
/// </summary>
internal static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    public const string DocsPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // OnStarting, because the exception handler clears headers set earlier before it writes its problem.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase) ? DocsPolicy : ApiPolicy;
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
