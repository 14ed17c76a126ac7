using System.Text.Json;

namespace DataSpace.Contracts.Audit;

/// <summary>Who acted. Hidden (null) when the actor is a consumer whose identity is its business secret.</summary>
/// <param name="OrganizationId">The acting organisation.</param>
/// <param name="ClientId">The API client it acted through (<c>console</c> for a person signed in to the web console).</param>
/// <param name="UserId">The person who acted, when they were signed in to the web console; null for API clients.</param>
public sealed record AuditActorInfo(string? OrganizationId, string? ClientId, string? UserId = null);

/// <summary>What allowed a read of someone else's data.</summary>
/// <param name="Type">open, consent or entitlement.</param>
/// <param name="Id">The consent or entitlement id.</param>
public sealed record AuditBasis(string Type, string? Id);

/// <summary>One event of the audit chain.</summary>
public sealed record AuditEvent
{
    public required long Seq { get; init; }
    /// <summary>The chain partition the event belongs to: the subject organisation's id, "platform" for events about no organisation, "global" for events from before partitions.</summary>
    public required string Partition { get; init; }
    /// <summary>The event's position in its partition (1, 2, 3, … without gaps).</summary>
    public required long PartitionSeq { get; init; }
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

/// <summary>The result of verifying the chain from the last signed checkpoint (or from genesis).</summary>
/// <param name="Valid">Whether every link holds and every signed head is still there.</param>
/// <param name="Length">Events verified before the first broken link, over all partitions (all of them when valid).</param>
/// <param name="HeadHash">SHA-256 (hex) of the verified partition heads, one line "partition length seq hash" each, as a checkpoint lists them; 64 zeros for an empty chain.</param>
/// <param name="FirstBrokenSeq">The first event that does not verify, or that is missing.</param>
/// <param name="Problem">What is wrong with it.</param>
/// <param name="CanonicalForm">How each hash is computed, so anyone can check it independently.</param>
/// <param name="Checkpoint">The signed checkpoint the verification started from (null: none yet, walked from genesis).</param>
/// <param name="BrokenPartition">The partition of the broken link.</param>
/// <param name="FromGenesis">Whether every event was walked (?from=genesis) rather than those after the checkpoint.</param>
public sealed record AuditVerification(bool Valid, long Length, string HeadHash, long? FirstBrokenSeq, string? Problem, string CanonicalForm,
    long? Checkpoint = null, string? BrokenPartition = null, bool FromGenesis = false);

/// <summary>
/// A signed checkpoint: every partition head of the audit chain at one moment, signed with Ed25519 by a key the database
/// does not hold. Verify it offline: save <see cref="Message"/> as bytes (or GET message_url), the signature
/// (base64-decoded, or GET signature_url) and GET /v1/audit/public-key, then
/// <c>openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in message -sigfile sig</c>.
/// </summary>
public sealed record AuditCheckpoint
{
    /// <summary>1, 2, 3, … without gaps; each message names the SHA-256 of the one before.</summary>
    public required long Number { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Hex SHA-256 of the signing key's DER SubjectPublicKeyInfo.</summary>
    public required string KeyId { get; init; }
    /// <summary>Events covered, over all partitions.</summary>
    public required long Events { get; init; }
    /// <summary>Partitions covered.</summary>
    public required int Partitions { get; init; }
    /// <summary>The exact signed text (UTF-8, every line ended by LF).</summary>
    public required string Message { get; init; }
    /// <summary>Hex SHA-256 of the message.</summary>
    public required string MessageSha256 { get; init; }
    /// <summary>The Ed25519 signature over the message, base64.</summary>
    public required string Signature { get; init; }
    /// <summary>The message as raw bytes (text/plain).</summary>
    public required string MessageUrl { get; init; }
    /// <summary>The 64 signature bytes (application/octet-stream).</summary>
    public required string SignatureUrl { get; init; }
}

/// <summary>Creating a checkpoint on demand.</summary>
/// <param name="Created">False when nothing was appended since the latest checkpoint, which is then answered.</param>
/// <param name="Checkpoint">The checkpoint.</param>
public sealed record AuditCheckpointCreated(bool Created, AuditCheckpoint Checkpoint);
