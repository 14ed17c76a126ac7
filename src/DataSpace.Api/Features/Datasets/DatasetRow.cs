using System.Text.Json;
using DataSpace.Api.Database;
using DataSpace.Api.Http;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Datasets;

/// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
[FeatureService]
internal sealed record DatasetRow
{
    public required Guid Id { get; init; }
    public required Guid OwnerId { get; init; }
    public required string OwnerName { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string Industry { get; init; }
    public required string[] Tags { get; init; }
    public required string Access { get; init; }
    public required string Licence { get; init; }
    public required string UpdateFrequency { get; init; }
    public required string SecurityLevel { get; init; }
    public required string PersonalInformation { get; init; }
    public string? PersonalInformationConsentRef { get; init; }
    public required string Provenance { get; init; }
    public required string Status { get; init; }
    public int? LatestVersion { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }
    public DateTime? PublishedAt { get; init; }
    public DateTime? WithdrawnAt { get; init; }

    public bool IsOwnedBy(Guid organizationId) => OwnerId == organizationId;

    /// <summary>Drafts are the owner's business alone; published and withdrawn records are public knowledge.</summary>
    public bool IsVisibleTo(Guid organizationId) => Status != DatasetStatuses.Draft || IsOwnedBy(organizationId);

    public Dataset ToContract() => new()
    {
        Id = Id.ToString(),
        Owner = new DataSpace.Contracts.Common.OrganizationRef(OwnerId.ToString(), OwnerName),
        Status = Status,
        Title = Title,
        Description = Description,
        Industry = Industry,
        Tags = Tags,
        Access = Access,
        Licence = Licence,
        UpdateFrequency = UpdateFrequency,
        SecurityLevel = SecurityLevel,
        PersonalInformation = PersonalInformation,
        PersonalInformationConsentRef = PersonalInformationConsentRef,
        Provenance = JsonSerializer.Deserialize<Provenance>(Provenance, Json.Options)!,
        LatestVersion = LatestVersion,
        CreatedAt = Timestamps.Utc(CreatedAt),
        UpdatedAt = Timestamps.Utc(UpdatedAt),
        PublishedAt = PublishedAt is { } p ? Timestamps.Utc(p) : null,
        WithdrawnAt = WithdrawnAt is { } w ? Timestamps.Utc(w) : null,
    };

    /// <summary>The editable fields, as PATCH merges into them.</summary>
    public DatasetFields ToFields() => new()
    {
        Title = Title,
        Description = Description,
        Industry = Industry,
        Tags = Tags,
        Access = Access,
        Licence = Licence,
        UpdateFrequency = UpdateFrequency,
        SecurityLevel = SecurityLevel,
        PersonalInformation = PersonalInformation,
        PersonalInformationConsentRef = PersonalInformationConsentRef,
        Provenance = JsonSerializer.Deserialize<Provenance>(Provenance, Json.Options)!,
    };
}
