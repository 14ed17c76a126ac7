using DataSpace.Contracts.Common;

namespace DataSpace.Contracts.Datasets;

/// <summary>The editable description of a dataset: what <c>POST /v1/datasets</c> takes and <c>PATCH</c> merges into (RFC 7386).</summary>
public sealed record DatasetFields
{
    /// <summary>Title, 1–200 characters; Chinese is first-class.</summary>
    public string? Title { get; init; }

    /// <summary>What the data is and how to use it, at most 10,000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>Industry, 1–100 characters, e.g. 灯饰照明, 家用电器, 装备制造.</summary>
    public string? Industry { get; init; }

    /// <summary>Up to 20 tags of 1–50 characters each.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary><c>open</c> (free download for every authenticated organisation) or <c>paid</c> (needs an entitlement). Fixed once published.</summary>
    public string? Access { get; init; }

    /// <summary>Licence name or the terms of use, 1–20,000 characters.</summary>
    public string? Licence { get; init; }

    /// <summary>Declared update frequency: once, daily, weekly, monthly, quarterly, yearly or irregular.</summary>
    public string? UpdateFrequency { get; init; }

    /// <summary><c>general</c> (一般数据) or <c>important</c> (重要数据). Core data (核心数据) is refused.</summary>
    public string? SecurityLevel { get; init; }

    /// <summary><c>none</c>, <c>anonymised</c> or <c>separate_consent</c>.</summary>
    public string? PersonalInformation { get; init; }

    /// <summary>Reference of the anonymisation assessment or separate-consent record; required unless personal_information is none.</summary>
    public string? PersonalInformationConsentRef { get; init; }

    /// <summary>Where the data comes from and who holds which rights.</summary>
    public Provenance? Provenance { get; init; }
}

/// <summary>Provenance of a dataset.</summary>
public sealed record Provenance
{
    /// <summary>self_operated, collected, purchased, public_data_authorisation or derived (derived needs lineage).</summary>
    public string? SourceType { get; init; }

    /// <summary>The systems the data was taken from, at least one.</summary>
    public IReadOnlyList<string>? SourceSystems { get; init; }

    /// <summary>The period the data covers.</summary>
    public CollectionPeriod? CollectionPeriod { get; init; }

    /// <summary>How the data was collected.</summary>
    public string? CollectionMethod { get; init; }

    /// <summary>The legal basis of collection and processing.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>The three rights of 数据二十条: holder and basis of each.</summary>
    public DataRights? Rights { get; init; }

    /// <summary>Ids of parent datasets (must exist and be visible to the caller).</summary>
    public IReadOnlyList<string>? Lineage { get; init; }
}

/// <summary>A closed date interval.</summary>
/// <param name="Start">First day covered.</param>
/// <param name="End">Last day covered (not before start).</param>
public sealed record CollectionPeriod(DateOnly? Start, DateOnly? End);

/// <summary>数据资源持有权, 数据加工使用权, 数据产品经营权.</summary>
public sealed record DataRights
{
    /// <summary>数据资源持有权.</summary>
    public RightHolder? ResourceHolding { get; init; }

    /// <summary>数据加工使用权.</summary>
    public RightHolder? ProcessingUse { get; init; }

    /// <summary>数据产品经营权.</summary>
    public RightHolder? ProductOperation { get; init; }
}

/// <summary>Who holds a right and on what basis.</summary>
/// <param name="Holder">The holder's name.</param>
/// <param name="Basis">The basis: own collection, contract number, authorisation document, …</param>
public sealed record RightHolder(string? Holder, string? Basis);


/// <summary>A dataset as the API shows it.</summary>
public sealed record Dataset
{
    public required string Id { get; init; }
    public required OrganizationRef Owner { get; init; }
    /// <summary>draft, published or withdrawn.</summary>
    public required string Status { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string Industry { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required string Access { get; init; }
    public required string Licence { get; init; }
    public required string UpdateFrequency { get; init; }
    public required string SecurityLevel { get; init; }
    public required string PersonalInformation { get; init; }
    public string? PersonalInformationConsentRef { get; init; }
    public required Provenance Provenance { get; init; }
    /// <summary>The highest committed version number, if any.</summary>
    public int? LatestVersion { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
}

/// <summary>A dataset as the catalog lists it: enough to choose, without provenance and terms (GET the dataset for those).</summary>
public sealed record DatasetSummary
{
    public required string Id { get; init; }
    public required OrganizationRef Owner { get; init; }
    public required string Status { get; init; }
    public required string Title { get; init; }
    /// <summary>The first 300 characters of the description.</summary>
    public required string Description { get; init; }
    public required string Industry { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required string Access { get; init; }
    public required string UpdateFrequency { get; init; }
    public int? LatestVersion { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
}
