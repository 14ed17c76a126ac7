using DataSpace.Contracts.Common;

namespace DataSpace.Contracts.Access;

/// <summary>
/// The machine-readable usage policy of a terms version, enforced on ordering, granting, approving and every download;
/// also served as ODRL 2.2 (GET /v1/datasets/{id}/odrl).
/// </summary>
public sealed record UsagePolicy
{
    /// <summary>What the consumer may do and under which constraints; omitted: no constraint beyond the terms.</summary>
    public UsageRule? Permission { get; init; }

    /// <summary>Duties of the consumer: attribution, notify_owner (informing the owner of each use).</summary>
    public IReadOnlyList<string>? Duties { get; init; }

    /// <summary>What the consumer must not do: resale, reidentification, onward_transfer.</summary>
    public IReadOnlyList<string>? Prohibitions { get; init; }
}

/// <summary>The constraints of the permission to use the dataset; every member is optional and all that are set must hold.</summary>
public sealed record UsageRule
{
    /// <summary>Organisation ids allowed to use the data (with <see cref="AssigneeRoles"/>: either matches).</summary>
    public IReadOnlyList<string>? AssigneeOrganizations { get; init; }

    /// <summary>Organisation roles allowed to use the data, e.g. model_builder.</summary>
    public IReadOnlyList<string>? AssigneeRoles { get; init; }

    /// <summary>
    /// Allowed purposes, from the code list model_training, model_evaluation, scientific_research, public_service,
    /// internal_analysis, product_development. The purpose a use declares is the one its agreement, grant or access
    /// request recorded.
    /// </summary>
    public IReadOnlyList<string>? Purposes { get; init; }

    /// <summary>Use is allowed from this instant on.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Use is allowed until this instant (exclusive).</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>How many complete downloads (a file's last byte sent) the organisation may make in all.</summary>
    public int? MaxCompleteDownloads { get; init; }

    /// <summary>The dataset versions the permission covers (version pinning); omitted: every version.</summary>
    public IReadOnlyList<int>? Versions { get; init; }
}

/// <summary>How organisations get access to a dataset (owner).</summary>
public sealed record SetAccessPolicyRequest
{
    /// <summary>open (free datasets), terms (paid: accept the terms and order) or approval (the owner approves each requester).</summary>
    public string? Policy { get; init; }

    /// <summary>Hours a request may wait for an answer before it expires; 1–8760, default 168.</summary>
    public int? ReviewSlaHours { get; init; }

    /// <summary>The owner's own questions a request must answer.</summary>
    public IReadOnlyList<RequestField>? RequestFields { get; init; }

    /// <summary>Organisation ids whose requests are approved when filed (the usage policy still applies).</summary>
    public IReadOnlyList<string>? AutoApproveOrganizations { get; init; }

    /// <summary>Organisation roles whose requests are approved when filed, e.g. data_bureau.</summary>
    public IReadOnlyList<string>? AutoApproveRoles { get; init; }

    /// <summary>
    /// Requests from organisations holding a verified, unexpired record or certificate of one of these kinds are approved
    /// when filed (the usage policy still applies); at most 10 rules.
    /// </summary>
    public IReadOnlyList<AutoApproveCertificate>? AutoApproveCertificates { get; init; }
}

/// <summary>An auto-approval rule on what the requester holds, verified by the bureau or the listing review.</summary>
public sealed record AutoApproveCertificate
{
    /// <summary>
    /// dcmm_certificate (a DCMM certificate the bureau verified, still within its validity), data_asset (a data-asset
    /// registration the bureau verified), data_space_pilot (a trusted-data-space pilot the bureau verified) or
    /// listing_certificate (a listing certificate in force for one of the requester's datasets).
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>For dcmm_certificate only: the lowest DCMM level (1 初始级 … 5 优化级) that qualifies; omitted: any level.</summary>
    public int? MinLevel { get; init; }
}

/// <summary>A question of the owner's that an access request answers.</summary>
/// <param name="Name">The key of the answer: lower-case letters, digits and underscores.</param>
/// <param name="Label">The question as shown to the requester.</param>
/// <param name="Required">Whether a request must answer it.</param>
public sealed record RequestField(string Name, string Label, bool Required);

/// <summary>A dataset's access policy.</summary>
/// <param name="DatasetId">The dataset.</param>
/// <param name="Policy">open, terms or approval.</param>
/// <param name="ReviewSlaHours">Hours a request waits for an answer before it expires.</param>
/// <param name="RequestFields">The owner's questions.</param>
/// <param name="AutoApproveOrganizations">Organisations whose requests are approved when filed.</param>
/// <param name="AutoApproveRoles">Roles whose requests are approved when filed.</param>
/// <param name="AutoApproveCertificates">Verified records or certificates whose holders' requests are approved when filed.</param>
public sealed record AccessPolicy(string DatasetId, string Policy, int ReviewSlaHours, IReadOnlyList<RequestField> RequestFields,
    IReadOnlyList<string> AutoApproveOrganizations, IReadOnlyList<string> AutoApproveRoles, IReadOnlyList<AutoApproveCertificate> AutoApproveCertificates);

/// <summary>Asks the owner of an approval-gated dataset for access.</summary>
public sealed record CreateAccessRequest
{
    /// <summary>The declared purpose, from the purpose code list (see <see cref="UsageRule.Purposes"/>).</summary>
    public string? Purpose { get; init; }

    /// <summary>What the data will be used for, in the requester's words.</summary>
    public string? UseCase { get; init; }

    /// <summary>Answers to the owner's request fields, by field name.</summary>
    public IReadOnlyDictionary<string, string>? Answers { get; init; }

    /// <summary>Whom the owner may contact about the request.</summary>
    public string? Contact { get; init; }

    /// <summary>Must be true: the requester agrees that the owner learns its identity.</summary>
    public bool? DiscloseIdentity { get; init; }
}

/// <summary>An access request.</summary>
public sealed record AccessRequest
{
    public required string Id { get; init; }
    public required string DatasetId { get; init; }
    /// <summary>The requesting organisation's id.</summary>
    public required string RequesterId { get; init; }
    /// <summary>The requesting organisation's name (shown to the owner unless the request hides its identity).</summary>
    public required string RequesterName { get; init; }

    /// <summary>The requesting organisation in the common reference shape (id and name, as requester_id and requester_name).</summary>
    public OrganizationRef Requester => new(RequesterId, RequesterName);
    public required string Purpose { get; init; }
    /// <summary>What the requester will do with the data, in its own words.</summary>
    public required string UseCase { get; init; }
    /// <summary>The answers to the owner's request fields, by field key.</summary>
    public required IReadOnlyDictionary<string, string> Answers { get; init; }
    /// <summary>Whom the owner may contact about the request.</summary>
    public required string Contact { get; init; }

    /// <summary>pending, approved, rejected or expired (a pending request past <see cref="ExpiresAt"/>).</summary>
    public required string Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a pending request expires unanswered (the owner's review SLA).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The owner's reason for a rejection.</summary>
    public string? Reason { get; init; }

    /// <summary>The request this one asks again after (a rejected or expired one).</summary>
    public string? PreviousId { get; init; }

    /// <summary>The access an approval opened.</summary>
    public string? GrantId { get; init; }
}

/// <summary>Approves an access request, optionally narrowing it.</summary>
public sealed record ApproveAccessRequest
{
    /// <summary>Access ends at this instant; omitted: no end beyond the usage policy's.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Only these versions; omitted: every version.</summary>
    public IReadOnlyList<int>? Versions { get; init; }
}

/// <summary>Rejects an access request, or revokes a grant: the reason is shown to the other side.</summary>
public sealed record ReasonRequest
{
    public string? Reason { get; init; }
}

/// <summary>Grants an organisation access to a dataset without payment (owner).</summary>
public sealed record CreateGrantRequest
{
    public string? OrganizationId { get; init; }

    /// <summary>From the purpose code list.</summary>
    public string? Purpose { get; init; }

    /// <summary>Access ends at this instant; required, in the future.</summary>
    public DateTimeOffset? ValidUntil { get; init; }
}

/// <summary>Access without payment: a data grant or an approved request.</summary>
public sealed record Grant
{
    public required string Id { get; init; }
    public required string DatasetId { get; init; }
    public required string OwnerId { get; init; }
    /// <summary>The receiving organisation's id.</summary>
    public required string GranteeId { get; init; }
    /// <summary>The receiving organisation's name.</summary>
    public required string GranteeName { get; init; }

    /// <summary>The receiving organisation in the common reference shape (id and name, as grantee_id and grantee_name).</summary>
    public OrganizationRef Grantee => new(GranteeId, GranteeName);

    /// <summary>grant (the owner's data grant) or approval (an approved access request).</summary>
    public required string Kind { get; init; }
    public string? RequestId { get; init; }
    public required string Purpose { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
/// <summary>Only these versions; null: every version.</summary>
    public IReadOnlyList<int>? Versions { get; init; }

    /// <summary>pending (waiting for the receiver), accepted, expired, revoked (by the owner) or dropped (by the holder).</summary>
    public required string Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    /// <summary>When access ended (expired, revoked or dropped); null while it lasts.</summary>
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Why access ended, as the owner or holder gave it.</summary>
    public string? EndReason { get; init; }
}

/// <summary>
/// One right of an organisation to a dataset (an entitlement from an order, a grant or an approval), with the policy that
/// governs it and whether it lets a download through now.
/// </summary>
public sealed record Holding
{
    /// <summary>entitlement, grant or approval.</summary>
    public required string Kind { get; init; }
    public required string Id { get; init; }
    public required string DatasetId { get; init; }
    /// <summary>The holding organisation's id.</summary>
    public required string HolderId { get; init; }
    /// <summary>The holding organisation's name.</summary>
    public required string HolderName { get; init; }

    /// <summary>The holding organisation in the common reference shape (id and name, as holder_id and holder_name).</summary>
    public OrganizationRef Holder => new(HolderId, HolderName);
    public string? Purpose { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Whether the right itself is in force (not expired, revoked, dropped or pending).</summary>
    public required bool Active { get; init; }

    /// <summary>Whether a download under this right would be allowed now, the usage policy included.</summary>
    public required bool Effective { get; init; }

    /// <summary>The stable problem code a download would be refused with; null when effective.</summary>
    public string? RefusalCode { get; init; }

    /// <summary>
    /// The versions the right is pinned to (an approval or grant narrowed by the owner; for an entitlement, the approval it
    /// stands on); null for every version. The usage policy's own version pinning is in <see cref="Policy"/>.
    /// </summary>
    public IReadOnlyList<int>? Versions { get; init; }

    /// <summary>
    /// Under an approval-gated dataset, the state of the approval the right stands on now: accepted, revoked, dropped,
    /// expired, or none (an entitlement with no approval in force); null when the dataset is not approval-gated.
    /// </summary>
    public string? ApprovalStatus { get; init; }

    /// <summary>The terms version whose policy governs the right, and that policy's hash.</summary>
    public int? TermsVersion { get; init; }
/// <summary>Lower-case hex SHA-256 of the policy's canonical JSON.</summary>
    public string? PolicySha256 { get; init; }
/// <summary>The usage policy of that terms version, which every download under this right is checked against.</summary>
    public UsagePolicy? Policy { get; init; }
}
