namespace DataSpace.Contracts.Organizations;

/// <summary>An organisation taking part in the data space.</summary>
/// <param name="Id">Opaque identifier.</param>
/// <param name="Name">Registered name, e.g. 中山市示例数据科技有限公司.</param>
/// <param name="UnifiedSocialCreditCode">统一社会信用代码 (GB 32100-2015), 18 characters, upper case.</param>
/// <param name="Roles">Roles: operator, source_unit, model_builder, data_bureau, authority.</param>
/// <param name="CreatedAt">When the operator registered it.</param>
public sealed record Organization(
    string Id,
    string Name,
    string UnifiedSocialCreditCode,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt);

/// <summary>Registers an organisation (operator only).</summary>
public sealed record CreateOrganizationRequest
{
    /// <summary>Registered name, 1–200 characters.</summary>
    public string? Name { get; init; }

    /// <summary>统一社会信用代码, 18 characters with a valid GB 32100-2015 check character.</summary>
    public string? UnifiedSocialCreditCode { get; init; }

    /// <summary>At least one of operator, source_unit, model_builder, data_bureau, authority.</summary>
    public IReadOnlyList<string>? Roles { get; init; }
}

/// <summary>The calling organisation, as seen through the presented access token.</summary>
/// <param name="Organization">The organisation the token belongs to.</param>
/// <param name="ClientId">The API client the token was issued to.</param>
/// <param name="Scopes">The scopes the token carries.</param>
public sealed record CallerIdentity(Organization Organization, string ClientId, IReadOnlyList<string> Scopes);
