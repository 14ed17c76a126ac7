using DataSpace.Api.Database;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// Who holds which right to a dataset (entitlements, grants, approvals), the usage policy that governs each, and whether
/// it lets a download through now, decided by the same <see cref="UsagePolicies.Evaluate"/> the gate uses (version
/// pinning aside: a holding spans versions).
/// </summary>
internal sealed class Holdings(AccessStore store, TimeProvider clock)
{
    /// <summary>
    /// Up to <paramref name="limit"/> holdings of one dataset (the owner's view) or of one organisation (the consumer's
    /// view), newest first, older than <paramref name="before"/>: entitlements and grants merged by their time-ordered ids,
    /// and only the page's rows are evaluated.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, Holding Holding)>> ForAsync(Guid? datasetId, Guid? holder, Guid? before, int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var entitlementRows = await store.EntitlementsAsync(datasetId, holder, before, limit, ct);
        var grantRows = await store.GrantsAsync(datasetId, holder, before, limit, ct);
        // The page is the newest `limit` ids of the two lists together.
        var kept = entitlementRows.Select(e => e.Id).Concat(grantRows.Select(g => g.Id)).OrderDescending().Take(limit).ToHashSet();
        var entitlements = entitlementRows.Where(e => kept.Contains(e.Id)).ToList();
        var grants = grantRows.Where(g => kept.Contains(g.Id));
        var result = new List<(Guid Id, Holding Holding)>();
        // The page's access policies and, for its entitlements to approval-gated datasets, their approvals: two queries, not two per row.
        var policies = entitlements.Count == 0 ? [] : await store.PoliciesAsync([.. entitlements.Select(e => e.DatasetId).Distinct()], ct);
        var gated = entitlements.Where(e => policies.GetValueOrDefault(e.DatasetId) == AccessGate.Approval).Select(e => (e.DatasetId, e.OrganizationId)).Distinct().ToList();
        var approvalsOf = await store.ApprovalsAsync(gated, ct);
        foreach (var e in entitlements)
        {
            var active = e.RevokedAt is null && e.ValidFrom <= now.UtcDateTime && (e.ValidUntil is null || now.UtcDateTime < e.ValidUntil);
            var terms = await store.TermsStateAsync(e.DatasetId, e.OrganizationId, ct);
            // Under approval an entitlement counts only beside an approval in force (as the gate decides); its pinning is the approval's.
            string? approvalStatus = null;
            int[]? versions = null;
            if (policies.GetValueOrDefault(e.DatasetId) == AccessGate.Approval)
            {
                var approvals = approvalsOf[(e.DatasetId, e.OrganizationId)].ToList();
                var standing = approvals.FirstOrDefault(g => g.StatusAt(now) == GrantStatuses.Accepted) ?? approvals.FirstOrDefault();
                approvalStatus = standing?.StatusAt(now) ?? "none";
                versions = standing?.StatusAt(now) == GrantStatuses.Accepted ? standing.Versions : null;
            }

            var approved = approvalStatus is null or GrantStatuses.Accepted;
            result.Add((e.Id, await DecideAsync(new Holding
            {
                Kind = HoldingKinds.Entitlement, Id = e.Id.ToString(), DatasetId = e.DatasetId.ToString(), HolderId = e.OrganizationId.ToString(), HolderName = e.HolderName,
                Purpose = terms.Purpose, ValidUntil = e.ValidUntil is { } u ? Timestamps.Utc(u) : null, Active = active && approved, Effective = false,
                RefusalCode = !active ? ProblemCodes.EntitlementRequired : approved ? null : ProblemCodes.AccessRequestRequired,
                Versions = versions, ApprovalStatus = approvalStatus,
            }, terms, e.OrganizationId, e.DatasetId, now, ct)));
        }

        foreach (var g in grants)
        {
            var status = g.StatusAt(now);
            var terms = await store.TermsStateAsync(g.DatasetId, g.GranteeId, ct);
            result.Add((g.Id, await DecideAsync(new Holding
            {
                Kind = g.Kind, Id = g.Id.ToString(), DatasetId = g.DatasetId.ToString(), HolderId = g.GranteeId.ToString(), HolderName = g.GranteeName,
                Purpose = g.Purpose, ValidUntil = g.ValidUntil is { } u ? Timestamps.Utc(u) : null, Active = status == GrantStatuses.Accepted, Effective = false,
                Versions = g.Versions, ApprovalStatus = g.Kind == GrantKinds.Approval ? status : null,
                RefusalCode = status switch
                {
                    GrantStatuses.Accepted => null,
                    GrantStatuses.Pending => ProblemCodes.GrantNotAccepted,
                    GrantStatuses.Revoked => ProblemCodes.GrantRevoked,
                    GrantStatuses.Dropped => ProblemCodes.GrantDropped,
                    _ => ProblemCodes.GrantExpired,
                },
            }, terms, g.GranteeId, g.DatasetId, now, ct)));
        }

        return [.. result.OrderByDescending(r => r.Id)];
    }

    private async Task<Holding> DecideAsync(Holding holding, AccessStore.TermsState terms, Guid holder, Guid datasetId, DateTimeOffset now, CancellationToken ct)
    {
        holding = holding with { TermsVersion = terms.Version, PolicySha256 = terms.PolicySha256, Policy = terms.Policy };
        if (!holding.Active)
        {
            return holding;
        }

        if (!terms.Accepted)
        {
            return holding with { RefusalCode = ProblemCodes.TermsNotAccepted };
        }

        long? count = UsagePolicies.Counts(terms.Policy) ? await store.CompleteDownloadsAsync(holder, datasetId, ct) : null;
        var denial = UsagePolicies.Evaluate(terms.Policy, new UsagePolicies.Use(holder, await store.RolesAsync(holder, ct), holding.Purpose, now, null, count));
        return holding with { Effective = denial is null, RefusalCode = denial?.Code };
    }
}
