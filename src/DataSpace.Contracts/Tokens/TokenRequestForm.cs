namespace DataSpace.Contracts.Tokens;

/// <summary>
/// The form fields of <c>POST /connect/token</c> (application/x-www-form-urlencoded). Authenticate the client with
/// HTTP Basic (client_secret_basic) or with <c>client_id</c> + <c>client_secret</c> in the form (client_secret_post), not both.
/// </summary>
public sealed record TokenRequestForm
{
    /// <summary>Must be <c>client_credentials</c>.</summary>
    public string? GrantType { get; init; }

    /// <summary>Optional space-delimited scopes, a subset of the client's; omitted means all of them.</summary>
    public string? Scope { get; init; }

    /// <summary>client_secret_post only.</summary>
    public string? ClientId { get; init; }

    /// <summary>client_secret_post only.</summary>
    public string? ClientSecret { get; init; }
}

/// <summary>The form fields of <c>POST /connect/introspect</c> and <c>POST /connect/revocation</c>; the calling client authenticates as at the token endpoint.</summary>
public sealed record TokenForm
{
    /// <summary>The access token to introspect or revoke.</summary>
    public string? Token { get; init; }

    /// <summary>Optional; only <c>access_token</c> is meaningful here.</summary>
    public string? TokenTypeHint { get; init; }

    /// <summary>client_secret_post only.</summary>
    public string? ClientId { get; init; }

    /// <summary>client_secret_post only.</summary>
    public string? ClientSecret { get; init; }
}
