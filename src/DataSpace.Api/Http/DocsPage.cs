using Scalar.AspNetCore;

namespace DataSpace.Api.Http;

/// <summary>
/// The interactive API reference at /docs: Scalar, reading /openapi/v1.json, served entirely from this API — its bundled
/// script comes from the package (no CDN), default fonts (a font CDN), telemetry, the AI agent and MCP are off, and no
/// request proxy is set, so try-it-out calls go straight to this origin. "Authorize" runs the OAuth 2.0 client-credentials
/// flow against /connect/token with the credentials the user types (nothing is prefilled); the token is kept only in the
/// page's memory. Every script tag carries a per-request nonce, which <see cref="SecurityHeaders"/> puts in the page's CSP.
/// </summary>
internal static class DocsPage
{
    public const string Prefix = "/docs";

    /// <summary>The security scheme the document declares (OpenApiSetup) and the page authorizes with.</summary>
    public const string SecurityScheme = "oauth2";

    /// <summary>
    /// Configuration Scalar cannot take from C#: the sidebar starts with OAuth (how to get a token comes first), then
    /// the document's own order.
    /// </summary>
    private const string ConfigurationModule = """
        const first = ['OAuth'];
        const rank = (tag) => { const i = first.indexOf(tag.name); return i < 0 ? first.length : i; };
        export default { tagsSorter: (a, b) => rank(a) - rank(b) };
        """;

    public static void MapDocsPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Prefix + "/dataspace.config.js", () => Results.Text(ConfigurationModule, "text/javascript"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapScalarApiReference(Prefix, options => options
            .WithTitle("DataSpace API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument("v1", "DataSpace v1")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .WithNonce()
            .AddPreferredSecuritySchemes([SecurityScheme])
            .AddClientCredentialsFlow(SecurityScheme, flow => flow
                .WithTokenUrl("/connect/token")
                .WithCredentialsLocation(CredentialsLocation.Header))
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
            .WithJavaScriptConfiguration(Prefix + "/dataspace.config.js")
            .HideDeveloperTools()
            .WithDotNetFlag(false))
        .AllowAnonymous();
    }

    /// <summary>The nonce Scalar generated for this response's script tags, if it rendered the page.</summary>
    public static string? Nonce(HttpContext context) =>
        context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) ? nonce as string : null;
}
