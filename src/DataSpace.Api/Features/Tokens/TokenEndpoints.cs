using System.Text.Json;
using System.Text.Json.Serialization;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Clients;
using DataSpace.Contracts.Tokens;
using DataSpace.Api.OpenApi;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Tokens;

/// <summary>
/// The OAuth 2.0 token service: client credentials (RFC 6749 §4.4), introspection (RFC 7662), revocation (RFC 7009)
/// and metadata (RFC 8414), at the paths Duende IdentityServer uses so that it can later stand in front.
/// </summary>
internal static class TokenEndpoints
{
    private static readonly JsonSerializerOptions IntrospectionJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("OAuth").AllowAnonymous().DisableAntiforgery();

        group.MapPost("/connect/token", IssueToken).WithName("IssueToken")
            .WithSummary("Client credentials grant: exchange a client id and secret for an opaque access token")
            .WithMetadata(new DocumentedBody(typeof(TokenRequestForm)))
            .Produces<TokenResponse>()
            .Produces<OAuthError>(StatusCodes.Status400BadRequest)
            .Produces<OAuthError>(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/connect/introspect", Introspect).WithName("IntrospectToken")
            .WithSummary("RFC 7662 introspection; the caller authenticates as a client")
            .WithMetadata(new DocumentedBody(typeof(TokenForm)))
            .Produces<IntrospectionResponse>()
            .Produces<OAuthError>(StatusCodes.Status400BadRequest)
            .Produces<OAuthError>(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/connect/revocation", Revoke).WithName("RevokeToken")
            .WithSummary("RFC 7009 revocation; effective for the very next request")
            .WithMetadata(new DocumentedBody(typeof(TokenForm)))
            .Produces(StatusCodes.Status200OK)
            .Produces<OAuthError>(StatusCodes.Status400BadRequest)
            .Produces<OAuthError>(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/.well-known/oauth-authorization-server", Metadata).WithName("GetAuthorizationServerMetadata")
            .WithSummary("RFC 8414 authorization server metadata")
            .Produces<AuthorizationServerMetadata>();
        return app;
    }

    private static async Task<IResult> IssueToken(HttpContext http, ClientStore clients, TokenStore tokens, TimeProvider clock, IOptions<TokenOptions> options, CancellationToken ct)
    {
        var (request, failure) = await OAuthRequest.ReadAsync(http.Request, options.Value.MaxFormBytes, ct);
        if (request is null)
        {
            return failure!;
        }

        var grantType = request["grant_type"];
        if (string.IsNullOrEmpty(grantType))
        {
            return OAuthRequest.Error(400, OAuthErrorCodes.InvalidRequest, "The grant_type parameter is required.");
        }

        var (client, authFailure) = await request.AuthenticateClientAsync(http.Request, clients, ct);
        if (client is null)
        {
            return authFailure!;
        }

        if (grantType != "client_credentials")
        {
            return OAuthRequest.Error(400, OAuthErrorCodes.UnsupportedGrantType, "Only the client_credentials grant is supported.");
        }

        string[] scopes;
        if (request["scope"] is { } scopeParam)
        {
            var requested = scopeParam.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
            var unknown = requested.Where(s => !client.Scopes.Contains(s)).ToList();
            if (requested.Length == 0 || unknown.Count > 0)
            {
                return OAuthRequest.Error(400, OAuthErrorCodes.InvalidScope, requested.Length == 0
                    ? "The scope parameter is empty; omit it to receive all of the client's scopes."
                    : $"The client may not request: {string.Join(" ", unknown)}. Its scopes are: {string.Join(" ", client.Scopes)}.");
            }

            scopes = requested;
        }
        else
        {
            scopes = client.Scopes;
        }

        var now = clock.GetUtcNow();
        var lifetime = options.Value.AccessTokenLifetime;
        var token = Secrets.NewAccessToken();
        await tokens.IssueAsync(token, client.ClientId, client.OrganizationId, scopes, now, now + lifetime, ct);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (long)lifetime.TotalSeconds, string.Join(' ', scopes)));
    }

    private static async Task<IResult> Introspect(HttpContext http, ClientStore clients, TokenStore tokens, TimeProvider clock, IOptions<TokenOptions> options, CancellationToken ct)
    {
        var (request, client, failure) = await OAuthRequest.ReadFromClientAsync(http.Request, clients, options.Value.MaxFormBytes, ct);
        if (request is null || client is null)
        {
            return failure!;
        }

        if (string.IsNullOrEmpty(request["token"]))
        {
            return OAuthRequest.Error(400, OAuthErrorCodes.InvalidRequest, "The token parameter is required.");
        }

        http.Response.Headers.CacheControl = "no-store";
        var state = request["token"]!.Length <= 512 ? await tokens.FindAsync(request["token"]!, ct) : null;

        // The operator may introspect any token; other clients only their own organisation's, so introspection
        // cannot be used to learn about other organisations' tokens.
        var visible = state is not null && (client.Roles.Contains(Roles.Operator) || state.OrganizationId == client.OrganizationId);
        if (!visible || !state!.IsActiveAt(clock.GetUtcNow()))
        {
            return TypedResults.Json(new IntrospectionResponse(false), IntrospectionJson);
        }

        return TypedResults.Json(new IntrospectionResponse(
            Active: true,
            Scope: string.Join(' ', state.Scopes),
            ClientId: state.ClientId,
            TokenType: "Bearer",
            Exp: new DateTimeOffset(state.ExpiresAt, TimeSpan.Zero).ToUnixTimeSeconds(),
            Iat: new DateTimeOffset(state.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds(),
            Sub: state.ClientId,
            OrganizationId: state.OrganizationId.ToString()), IntrospectionJson);
    }

    private static async Task<IResult> Revoke(HttpContext http, ClientStore clients, TokenStore tokens, TimeProvider clock, IOptions<TokenOptions> options, CancellationToken ct)
    {
        var (request, client, failure) = await OAuthRequest.ReadFromClientAsync(http.Request, clients, options.Value.MaxFormBytes, ct);
        if (request is null || client is null)
        {
            return failure!;
        }

        var token = request["token"];
        if (string.IsNullOrEmpty(token))
        {
            return OAuthRequest.Error(400, OAuthErrorCodes.InvalidRequest, "The token parameter is required.");
        }

        if (request["token_type_hint"] is { } hint && hint is not ("access_token" or "refresh_token"))
        {
            return OAuthRequest.Error(400, OAuthErrorCodes.UnsupportedTokenType, "token_type_hint must be access_token.");
        }

        // RFC 7009 §2.2: answer 200 whether or not the token was known; a client revokes only its own tokens
        // (the operator any), so another organisation's token is silently left alone.
        if (token.Length <= 512)
        {
            await tokens.RevokeAsync(token, s => s.ClientId == client.ClientId || client.Roles.Contains(Roles.Operator), clock.GetUtcNow(), ct);
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok();
    }

    private static AuthorizationServerMetadata Metadata(HttpContext http, IOptions<TokenOptions> options)
    {
        var issuer = options.Value.IssuerFor(http);
        string[] authMethods = ["client_secret_basic", "client_secret_post"];
        return new AuthorizationServerMetadata(
            Issuer: issuer,
            TokenEndpoint: issuer + "/connect/token",
            TokenEndpointAuthMethodsSupported: authMethods,
            GrantTypesSupported: ["client_credentials"],
            ScopesSupported: Scopes.All,
            ResponseTypesSupported: [],
            IntrospectionEndpoint: issuer + "/connect/introspect",
            IntrospectionEndpointAuthMethodsSupported: authMethods,
            RevocationEndpoint: issuer + "/connect/revocation",
            RevocationEndpointAuthMethodsSupported: authMethods,
            ServiceDocumentation: issuer + "/docs");
    }
}
