namespace DataSpace.Contracts.Tokens;

/// <summary>RFC 6749 §5.1 successful token response.</summary>
/// <param name="AccessToken">Opaque bearer token.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Lifetime in seconds.</param>
/// <param name="Scope">Space-delimited scopes granted.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string Scope);

/// <summary>RFC 6749 §5.2 error response.</summary>
/// <param name="Error">invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type or invalid_scope.</param>
/// <param name="ErrorDescription">Human-readable explanation.</param>
public sealed record OAuthError(string Error, string? ErrorDescription);

/// <summary>RFC 7662 introspection response.</summary>
/// <param name="Active">Whether the token is currently active.</param>
/// <param name="Scope">Space-delimited scopes, when active.</param>
/// <param name="ClientId">The client the token was issued to, when active.</param>
/// <param name="TokenType">Bearer, when active.</param>
/// <param name="Exp">Expiry, seconds since the Unix epoch, when active.</param>
/// <param name="Iat">Issue time, seconds since the Unix epoch, when active.</param>
/// <param name="Sub">The subject: the client id, when active.</param>
/// <param name="OrganizationId">The organisation the token acts for, when active.</param>
public sealed record IntrospectionResponse(
    bool Active,
    string? Scope = null,
    string? ClientId = null,
    string? TokenType = null,
    long? Exp = null,
    long? Iat = null,
    string? Sub = null,
    string? OrganizationId = null);

/// <summary>RFC 8414 authorization server metadata.</summary>
public sealed record AuthorizationServerMetadata(
    string Issuer,
    string TokenEndpoint,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> ScopesSupported,
    IReadOnlyList<string> ResponseTypesSupported,
    string IntrospectionEndpoint,
    IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported,
    string RevocationEndpoint,
    IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    string ServiceDocumentation);
