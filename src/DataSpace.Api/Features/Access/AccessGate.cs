using System.Security.Claims;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Orders;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// The consumer side of the one read gate (the consent side is <see cref="Consents.ConsentGate"/>): on what a
/// non-owner may read a published dataset — open access, an entitlement from an order, a data grant or an approved
/// access request — and whether the usage policy of the current terms lets this use through. It reads the database
/// on every call and decides expiry from <see cref="TimeProvider"/> at that moment, so a revocation, a drop, an
/// expiry or a used-up count counts from the very next request, the next range of a download included.
/// </summary>
[FeatureService]
internal sealed class AccessGate(AccessStore store, OrderStore orders, TimeProvider clock)
{
    public const string Open = AccessPolicyKinds.Open;
    public const string Terms = AccessPolicyKinds.Terms;
    public const string Approval = AccessPolicyKinds.Approval;

    /// <summary>
    /// The gate's answer. With a <see cref="Basis"/> (open, entitlement, grant, approval) the caller holds a right; the
    /// usage policy is then checked per use by <see cref="UseAsync"/>. Without one, <see cref="Refusal"/> may say why
    /// (the state of a request or grant); <see cref="Blocking"/> refusals win over every other basis (consent included).
    /// </summary>
    public sealed record Decision(string? Basis, Guid? BasisId, string? Purpose, int[]? Versions, AccessStore.TermsState? Terms, ProblemHttpResult? Refusal, bool Blocking)
    {
        public static readonly Decision None = new(null, null, null, null, null, null, false);
    }

    /// <summary>The access policy in force: the owner's, or what the dataset's access implies.</summary>
    public static string Default(DatasetRow dataset) => dataset.Access == AccessModes.Paid ? Terms : Open;

    public async Task<string> PolicyOfAsync(DatasetRow dataset, CancellationToken ct) =>
        (await store.PolicyAsync(dataset.Id, ct))?.Policy ?? Default(dataset);

    public const string Assessment = "assessment";

    /// <summary>
    /// On what the caller (not the owner) may read this dataset, before the use itself is checked. A consumer's right
    /// wins; failing one, an assessor's standing invitation with allow_files opens the invited versions' files (of a
    /// draft or published dataset, never a withdrawn one), and one without allow_files says so.
    /// </summary>
    public async Task<Decision> CheckAsync(DatasetRow dataset, ClaimsPrincipal caller, CancellationToken ct)
    {
        var held = await CheckHeldAsync(dataset, caller, ct);
        if (held.Basis is not null || held.Blocking || dataset.Status is not (DatasetStatuses.Draft or DatasetStatuses.Published) || !caller.IsInRole(Roles.Assessor))
        {
            return held;
        }

        var invitations = await store.AssessmentInvitationsAsync(dataset.Id, caller.OrganizationId(), ct);
        if (invitations.Count == 0)
        {
            return held;
        }

        var allowed = invitations.Where(i => i.AllowFiles).ToList();
        return allowed.Count > 0
            ? new Decision(Assessment, allowed[0].Id, null, [.. allowed.Select(i => i.Version).Distinct().Order()], null, null, false)
            : held with
            {
                Refusal = Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.AssessmentFilesNotAllowed, "Your invitation does not include the files",
                    $"The owner invited you to assess version(s) {string.Join(", ", invitations.Select(i => i.Version).Distinct().Order())} " +
                    "from the manifest and profiles only (allow_files false); read them with GET /v1/assessment-invitations/{id}/version."),
            };
    }

    private async Task<Decision> CheckHeldAsync(DatasetRow dataset, ClaimsPrincipal caller, CancellationToken ct)
    {
        if (dataset.Status != DatasetStatuses.Published)
        {
            return Decision.None;
        }

        var policy = await PolicyOfAsync(dataset, ct);
        if (policy == Open)
        {
            return new Decision(Open, null, null, null, null, null, false);
        }

        var org = caller.OrganizationId();
        var now = clock.GetUtcNow();
        var grants = await store.GrantsAsync(dataset.Id, org, null, 100, ct);
        var approval = grants.FirstOrDefault(g => g.Kind == GrantKinds.Approval && g.StatusAt(now) == GrantStatuses.Accepted);
        var grant = grants.FirstOrDefault(g => g.Kind == GrantKinds.Grant && g.StatusAt(now) == GrantStatuses.Accepted);
        Decision? held = null;
        if (dataset.Access == AccessModes.Paid && (policy != Approval || approval is not null)
            && await orders.ActiveEntitlementAsync(org, dataset.Id, now, ct) is { } entitlement)
        {
            held = new Decision(HoldingKinds.Entitlement, entitlement, null, approval?.Versions, null, null, false);
        }
        else if (grant is not null)
        {
            held = new Decision(HoldingKinds.Grant, grant.Id, grant.Purpose, grant.Versions, null, null, false);
        }
        else if (dataset.Access != AccessModes.Paid && approval is not null)
        {
            held = new Decision(HoldingKinds.Approval, approval.Id, approval.Purpose, approval.Versions, null, null, false);
        }

        if (held is not null)
        {
            var terms = await store.TermsStateAsync(dataset.Id, org, ct);
            if (!terms.Accepted)
            {
                return held with
                {
                    Basis = null, Blocking = true,
                    Refusal = Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.TermsNotAccepted, "The dataset's terms changed: accept them again",
                        $"Version {terms.Version} of the data use agreement is in force; accept it with POST /v1/datasets/{dataset.Id}/agreements."),
                };
            }

            // Under an order the declared purpose is the agreement's; under a grant or approval the one it was given for.
            return held with { Terms = terms, Purpose = held.Basis == HoldingKinds.Entitlement ? terms.Purpose : held.Purpose };
        }

        return Decision.None with { Refusal = await WhyNotAsync(dataset, policy, grants, org, now, ct) };
    }

    /// <summary>Why a caller without a right has none: the state of its latest grant or request, or null for the general refusal.</summary>
    private async Task<ProblemHttpResult?> WhyNotAsync(
        DatasetRow dataset, string policy, IReadOnlyList<AccessStore.GrantRow> grants, Guid org, DateTimeOffset now, CancellationToken ct)
    {
        if (grants.FirstOrDefault(g => g.Kind == GrantKinds.Grant) is { } latestGrant)
        {
            var refusal = GrantRefusal(latestGrant, now);
            if (refusal is not null)
            {
                return refusal;
            }
        }

        if (policy != Approval)
        {
            return null;
        }

        if (grants.FirstOrDefault(g => g.Kind == GrantKinds.Approval) is { } latestApproval && GrantRefusal(latestApproval, now) is { } ended)
        {
            var newer = await store.LatestRequestAsync(dataset.Id, org, ct);
            if (newer is null || newer.Id == latestApproval.RequestId)
            {
                return ended;
            }
        }

        var request = await store.LatestRequestAsync(dataset.Id, org, ct);
        var forbidden = StatusCodes.Status403Forbidden;
        return request?.StatusAt(now) switch
        {
            null => Problem.Of(forbidden, ProblemCodes.AccessRequestRequired, "This dataset needs the owner's approval",
                $"Ask for access with POST /v1/datasets/{dataset.Id}/access-requests."),
            AccessRequestStatuses.Pending => Problem.Of(forbidden, ProblemCodes.AccessRequestPending, "Your access request waits for the owner",
                $"Request {request.Id} is answered by {request.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ} or expires."),
            AccessRequestStatuses.Expired => Problem.Of(forbidden, ProblemCodes.AccessRequestExpired, "Your access request expired unanswered",
                $"Request {request.Id} expired at {request.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}; you may ask again."),
            AccessRequestStatuses.Rejected => Problem.Of(forbidden, ProblemCodes.AccessRequestRejected, "The owner rejected your access request",
                $"Request {request.Id} was rejected: {request.Reason}. You may ask again with changes."),
            _ => null,
        };
    }

    private static ProblemHttpResult? GrantRefusal(AccessStore.GrantRow grant, DateTimeOffset now)
    {
        var forbidden = StatusCodes.Status403Forbidden;
        return grant.StatusAt(now) switch
        {
            GrantStatuses.Pending => Problem.Of(forbidden, ProblemCodes.GrantNotAccepted, "Accept the grant first",
                $"Grant {grant.Id} counts once you accept it with POST /v1/grants/{grant.Id}/accept."),
            GrantStatuses.Revoked => Problem.Of(forbidden, ProblemCodes.GrantRevoked, "The owner revoked your access",
                $"{(grant.Kind == GrantKinds.Grant ? "Grant" : "Approval")} {grant.Id} was revoked at {grant.EndedAt:yyyy-MM-ddTHH:mm:ssZ}: {grant.EndReason}"),
            GrantStatuses.Dropped => Problem.Of(forbidden, ProblemCodes.GrantDropped, "Your organisation gave up this access",
                $"{(grant.Kind == GrantKinds.Grant ? "Grant" : "Approval")} {grant.Id} was dropped at {grant.EndedAt:yyyy-MM-ddTHH:mm:ssZ}."),
            GrantStatuses.Expired => Problem.Of(forbidden, ProblemCodes.GrantExpired, "Your access has ended",
                $"{(grant.Kind == GrantKinds.Grant ? "Grant" : "Approval")} {grant.Id} ended at {grant.ValidUntil:yyyy-MM-ddTHH:mm:ssZ}."),
            _ => null,
        };
    }

    /// <summary>
    /// Checks one use under a held right: the right's narrowing to versions, then the usage policy of the current terms
    /// (assignee, purpose, period, version pinning and, for downloads, the count of complete downloads). Null: allowed.
    /// </summary>
    public async Task<UsagePolicies.Denial?> UseAsync(Decision decision, DatasetRow dataset, ClaimsPrincipal caller, int? version, bool download, CancellationToken ct)
    {
        if (decision.Basis is null or Open)
        {
            return null;
        }

        // An assessor reads for the owner, not as a consumer: only the invited versions, and no consumer usage policy.
        if (decision.Basis == Assessment)
        {
            return version is { } invited && decision.Versions?.Contains(invited) != true
                ? new UsagePolicies.Denial(ProblemCodes.AssessmentVersionNotInvited, "You were not invited to assess this version",
                    $"Your invitation with files covers version(s) {string.Join(", ", decision.Versions ?? [])}; version {invited} was asked for.")
                : null;
        }

        if (decision.Versions is { } versions && version is { } v && !versions.Contains(v))
        {
            return new UsagePolicies.Denial(ProblemCodes.PolicyVersionMismatch, "Your access does not cover this version",
                $"The owner approved versions {string.Join(", ", versions)}; version {v} was asked for.");
        }

        var policy = decision.Terms?.Policy;
        var org = caller.OrganizationId();
        long? count = download && UsagePolicies.Counts(policy) ? await store.CompleteDownloadsAsync(org, dataset.Id, ct) : null;
        return UsagePolicies.Evaluate(policy, new UsagePolicies.Use(org, [.. Roles.All.Where(caller.IsInRole)], decision.Purpose, clock.GetUtcNow(), version, count));
    }

    /// <summary>The response header that carries the attribution a policy's attribution duty requires (RFC 3986 percent-encoded UTF-8).</summary>
    public const string AttributionHeader = "DataSpace-Attribution";

    /// <summary>
    /// The attribution a use under this right must carry, when the governing policy has the attribution duty: the owner,
    /// the dataset and the version, percent-encoded so that a header carries any script. Null when no attribution is due.
    /// </summary>
    public static string? AttributionOf(Decision decision, DatasetRow dataset, int version) =>
        decision.Terms?.Policy?.Duties?.Contains("attribution") == true
            ? Uri.EscapeDataString($"{dataset.OwnerName}: {dataset.Title} (DataSpace dataset {dataset.Id}, version {version})")
            : null;

    /// <summary>
    /// Whether an organisation may publish a dataset derived from <paramref name="parents"/> (its provenance lineage) with
    /// <paramref name="access"/>: a policy it accepted for a parent of another owner that prohibits onward_transfer refuses
    /// any publication, one that prohibits resale refuses a paid one. Null: allowed.
    /// </summary>
    public async Task<ProblemHttpResult?> PassOnAsync(Guid organization, IReadOnlyCollection<Guid> parents, string access, CancellationToken ct)
    {
        if (parents.Count == 0)
        {
            return null;
        }

        var accepted = await store.AcceptedParentPoliciesAsync(organization, [.. parents], ct);
        if (accepted.FirstOrDefault(p => p.Policy.Prohibitions?.Contains("onward_transfer") == true) is { } transfer)
        {
            return Problem.Conflict(ProblemCodes.PolicyOnwardTransferProhibited, "A parent dataset's usage policy prohibits onward transfer",
                $"Your provenance names dataset {transfer.ParentId} ({transfer.Title}) as a parent; the usage policy of its terms version {transfer.TermsVersion}, " +
                "which your organisation accepted, prohibits passing its data on, so a dataset derived from it cannot be published.");
        }

        if (access == AccessModes.Paid && accepted.FirstOrDefault(p => p.Policy.Prohibitions?.Contains("resale") == true) is { } resale)
        {
            return Problem.Conflict(ProblemCodes.PolicyResaleProhibited, "A parent dataset's usage policy prohibits resale",
                $"Your provenance names dataset {resale.ParentId} ({resale.Title}) as a parent; the usage policy of its terms version {resale.TermsVersion}, " +
                "which your organisation accepted, prohibits resale, so a dataset derived from it can be published only as open.");
        }

        return null;
    }

    /// <summary>Whether a use under this right owes the owner a notification (the notify_owner duty of the governing policy).</summary>
    public static bool NotifiesOwner(Decision decision) => decision.Terms?.Policy?.Duties?.Contains("notify_owner") == true;

    /// <summary>
    /// After a complete download (the file's last byte sent) under a held right: carries out the notify_owner duty when the
    /// governing policy has it. Nothing is owed for a partial range that does not reach the file's end.
    /// </summary>
    public Task CompletedAsync(Decision decision, DatasetRow dataset, ClaimsPrincipal caller, int version, string path, string requestId,
        Audit.AuditActor actor, CancellationToken ct) =>
        decision.Basis is null or Open or Assessment || !NotifiesOwner(decision)
            ? Task.CompletedTask
            : store.NotifyUseAsync(new AccessStore.Use(dataset.Id, dataset.OwnerId, caller.OrganizationId(), version, path, decision.Basis, decision.BasisId,
                decision.Purpose, decision.Terms?.Version, decision.Terms?.PolicySha256, requestId), actor, ct);

    /// <summary>
    /// What ordering needs beyond accepted terms: under approval, an approval in force; and the usage policy must let the
    /// buyer, with its agreement's purpose, use the data now. Null: the order may be placed.
    /// </summary>
    public async Task<ProblemHttpResult?> OrderAsync(DatasetRow dataset, ClaimsPrincipal caller, CancellationToken ct)
    {
        var org = caller.OrganizationId();
        var now = clock.GetUtcNow();
        if (await PolicyOfAsync(dataset, ct) == Approval)
        {
            var grants = await store.GrantsAsync(dataset.Id, org, null, 100, ct);
            if (!grants.Any(g => g.Kind == GrantKinds.Approval && g.StatusAt(now) == GrantStatuses.Accepted))
            {
                return await WhyNotAsync(dataset, Approval, grants, org, now, ct);
            }
        }

        var terms = await store.TermsStateAsync(dataset.Id, org, ct);
        return UsagePolicies.Evaluate(terms.Policy, new UsagePolicies.Use(org, [.. Roles.All.Where(caller.IsInRole)], terms.Purpose, now, null, null))?.Problem();
    }

    /// <summary>Whether the current terms' policy lets an organisation (not the caller: a grantee or requester) use the data for a purpose.</summary>
    public async Task<UsagePolicies.Denial?> OnBehalfAsync(Guid datasetId, Guid organization, string purpose, CancellationToken ct)
    {
        var terms = await store.TermsStateAsync(datasetId, organization, ct);
        return terms.Policy is null ? null
            : UsagePolicies.Evaluate(terms.Policy, new UsagePolicies.Use(organization, await store.RolesAsync(organization, ct), purpose, clock.GetUtcNow(), null, null));
    }
}
