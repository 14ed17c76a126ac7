namespace DataSpace.Contracts.Clients;

/// <summary>Creates an API client for an organisation (operator only).</summary>
public sealed record CreateClientRequest
{
    /// <summary>A name that says what the client is for, 1–200 characters.</summary>
    public string? Name { get; init; }

    /// <summary>Scopes the client may request; omitted means every scope the organisation's roles allow.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
}

/// <summary>An API client (OAuth 2.0 confidential client, client credentials grant).</summary>
/// <param name="ClientId">The public identifier used at /connect/token.</param>
/// <param name="OrganizationId">The organisation the client acts for.</param>
/// <param name="Name">What the client is for.</param>
/// <param name="Scopes">Scopes the client may request.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="DisabledAt">When it was disabled, if it was; its tokens stopped working at that moment.</param>
public sealed record ApiClient(
    string ClientId,
    string OrganizationId,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt);

/// <summary>A newly created client with its secret. The secret is shown only in this response.</summary>
/// <param name="ClientId">The public identifier used at /connect/token.</param>
/// <param name="ClientSecret">The secret (≥ 256 bits). Store it now: the server keeps only its SHA-256.</param>
/// <param name="OrganizationId">The organisation the client acts for.</param>
/// <param name="Name">What the client is for.</param>
/// <param name="Scopes">Scopes the client may request.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record CreatedClient(
    string ClientId,
    string ClientSecret,
    string OrganizationId,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt);
