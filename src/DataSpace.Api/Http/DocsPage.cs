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

    public static IEndpointConventionBuilder MapDocsPage(this IEndpointRouteBuilder app) =>
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
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl))
        .AllowAnonymous();

    /// <summary>The nonce Scalar generated for this response's script tags, if it rendered the page.</summary>
    public static string? Nonce(HttpContext context) =>
        context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) ? nonce as string : null;
}
