using DataSpace.Contracts.Common;

namespace DataSpace.Contracts.Consents;

/// <summary>Why a consent is given: a short code and a sentence.</summary>
/// <param name="Code">A short machine-readable code, e.g. industry_statistics, corpus_reward.</param>
/// <param name="Text">What the data will be used for.</param>
public sealed record ConsentPurpose(string? Code, string? Text);

/// <summary>A source unit grants an authority access to categories of its data (Art. 11).</summary>
public sealed record GrantConsentRequest
{
    /// <summary>The organisation (role data_bureau or authority) that may read.</summary>
    public string? Grantee { get; init; }

    /// <summary>Any of dataset_files, usage_statistics, revenue, asset_records, dcmm_records.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>True: every dataset of the unit, present and future. False: exactly <see cref="DatasetIds"/>.</summary>
    public bool? AllDatasets { get; init; }

    /// <summary>The unit's datasets the consent covers, when not all.</summary>
    public IReadOnlyList<string>? DatasetIds { get; init; }

    public ConsentPurpose? Purpose { get; init; }

    /// <summary>The legal basis of the sharing.</summary>
    public string? LegalBasis { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Exclusive end of validity; after <see cref="ValidFrom"/> and in the future.</summary>
    public DateTimeOffset? ValidUntil { get; init; }
}


/// <summary>A consent. It is never edited: revoke it and grant a new one.</summary>
public sealed record Consent
{
    public required string Id { get; init; }
    public required OrganizationRef Grantor { get; init; }
    public required OrganizationRef Grantee { get; init; }
    public required IReadOnlyList<string> Categories { get; init; }
    public required bool AllDatasets { get; init; }
    public required IReadOnlyList<string> DatasetIds { get; init; }
    public required ConsentPurpose Purpose { get; init; }
    public required string LegalBasis { get; init; }
    public required DateTimeOffset ValidFrom { get; init; }
    public required DateTimeOffset ValidUntil { get; init; }
    /// <summary>active, not_yet_valid, expired or revoked, as of the response.</summary>
    public required string Status { get; init; }
    /// <summary>The request this consent answered, if any.</summary>
    public string? RequestId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public string? RevokeReason { get; init; }
}

/// <summary>Revokes a consent, effective for the very next request.</summary>
public sealed record RevokeConsentRequest
{
    /// <summary>Why, 1–2000 characters.</summary>
    public string? Reason { get; init; }
}

/// <summary>An authority asks a unit for consent.</summary>
public sealed record CreateConsentRequestRequest
{
    /// <summary>The source unit asked.</summary>
    public string? Unit { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
    public bool? AllDatasets { get; init; }
    public IReadOnlyList<string>? DatasetIds { get; init; }
    public ConsentPurpose? Purpose { get; init; }
    public string? LegalBasis { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
}

/// <summary>A request for consent.</summary>
public sealed record ConsentRequest
{
    public required string Id { get; init; }
    public required OrganizationRef Requester { get; init; }
    public required OrganizationRef Unit { get; init; }
    public required IReadOnlyList<string> Categories { get; init; }
    public required bool AllDatasets { get; init; }
    public required IReadOnlyList<string> DatasetIds { get; init; }
    public required ConsentPurpose Purpose { get; init; }
    public required string LegalBasis { get; init; }
    public required DateTimeOffset ValidFrom { get; init; }
    public required DateTimeOffset ValidUntil { get; init; }
    /// <summary>pending, approved, rejected or expired.</summary>
    public required string Status { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? DecisionReason { get; init; }
    /// <summary>The consent created on approval.</summary>
    public string? ConsentId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Approves a request, optionally narrowing it: fewer categories, fewer datasets, a shorter window. Anything omitted
/// is taken from the request; nothing may widen it.
/// </summary>
public sealed record ApproveConsentRequestRequest
{
    public IReadOnlyList<string>? Categories { get; init; }
    public bool? AllDatasets { get; init; }
    public IReadOnlyList<string>? DatasetIds { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
}

/// <summary>Rejects a request.</summary>
public sealed record RejectConsentRequestRequest
{
    /// <summary>Why, 1–2000 characters.</summary>
    public string? Reason { get; init; }
}
