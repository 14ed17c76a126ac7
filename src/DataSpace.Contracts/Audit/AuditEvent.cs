using System.Text.Json;

namespace DataSpace.Contracts.Audit;

/// <summary>Who acted. Hidden (null) when the actor is a consumer whose identity is its business secret.</summary>
/// <param name="OrganizationId">The acting organisation.</param>
/// <param name="ClientId">The API client it acted through.</param>
public sealed record AuditActorInfo(string? OrganizationId, string? ClientId);

/// <summary>What allowed a read of someone else's data.</summary>
/// <param name="Type">open, consent or entitlement.</param>
/// <param name="Id">The consent or entitlement id.</param>
public sealed record AuditBasis(string Type, string? Id);

/// <summary>One event of the audit chain.</summary>
public sealed record AuditEvent
{
    public required long Seq { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>Null when hidden from you: consumers' identities stay hidden from owners unless a consent or order makes them known.</summary>
    public AuditActorInfo? Actor { get; init; }
    public string? SubjectOrganizationId { get; init; }
    public required string ObjectType { get; init; }
    public required string ObjectId { get; init; }
    public required string Action { get; init; }
    public AuditBasis? Basis { get; init; }
    public string? RequestId { get; init; }
    public required JsonElement Details { get; init; }
    /// <summary>Lower-case hex SHA-256 of this event's canonical form (see GET /v1/audit/verify).</summary>
    public required string Hash { get; init; }
    public required string PrevHash { get; init; }
}

/// <summary>The result of walking the whole chain.</summary>
/// <param name="Valid">Whether every link holds.</param>
/// <param name="Length">Events verified before the first broken link (all of them when valid).</param>
/// <param name="HeadHash">Hash of the last verified event (hex); 64 zeros for an empty chain.</param>
/// <param name="FirstBrokenSeq">The first event that does not verify.</param>
/// <param name="Problem">What is wrong with it.</param>
/// <param name="CanonicalForm">How each hash is computed, so anyone can check it independently.</param>
public sealed record AuditVerification(bool Valid, long Length, string HeadHash, long? FirstBrokenSeq, string? Problem, string CanonicalForm);
