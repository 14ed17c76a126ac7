using System.Security.Claims;
using DataSpace.Api.Auth;
using DataSpace.Api.Problems;
using DataSpace.Api.Telemetry;
using DataSpace.Contracts.Consents;

namespace DataSpace.Api.Features.Consents;

/// <summary>
/// The one gate every read of a unit's data by an authority goes through (Art. 11): it answers with the consent that
/// allows the read — the most specific active one — or with the exact reason there is none.
/// </summary>
[FeatureService]
internal sealed class ConsentGate(ConsentStore consents, TimeProvider clock, DomainMetrics metrics)
{
    /// <summary>The response header naming the consent a read was made under.</summary>
    public const string ConsentHeader = "X-DataSpace-Consent";

    /// <summary>The gate's answer. <see cref="Allowed"/> consents are active and cover the category (and the dataset, if one was named).</summary>
    public sealed record Decision(IReadOnlyList<ConsentStore.ConsentRow> Allowed, string? RefusalCode, string? RefusalDetail)
    {
        /// <summary>The consent recorded as the basis of a read: one naming the dataset beats one for all datasets.</summary>
        public ConsentStore.ConsentRow? MostSpecific(Guid? datasetId) => Allowed
            .OrderByDescending(c => datasetId is { } d && !c.AllDatasets && c.DatasetIds.Contains(d))
            .ThenBy(c => c.Categories.Length)
            .ThenByDescending(c => c.ValidFrom)
            .ThenBy(c => c.Id)
            .FirstOrDefault();

        /// <summary>
        /// The basis of each dataset of a multi-dataset read: its most specific allowed consent, grouped by consent, so
        /// a read that returned datasets covered by different consents records each of them.
        /// </summary>
        public IReadOnlyList<(ConsentStore.ConsentRow Consent, Guid[] Datasets)> BasesFor(IEnumerable<Guid> datasetIds) =>
            [.. datasetIds.Distinct().Select(d => (Consent: Covering(d), Dataset: d)).Where(x => x.Consent is not null)
                .GroupBy(x => x.Consent!.Id).Select(g => (g.First().Consent!, g.Select(x => x.Dataset).Order().ToArray())).OrderBy(b => b.Item1.Id)];

        /// <summary>The most specific allowed consent that covers this dataset (names it, or covers all datasets).</summary>
        private ConsentStore.ConsentRow? Covering(Guid datasetId) =>
            new Decision([.. Allowed.Where(c => c.AllDatasets || c.DatasetIds.Contains(datasetId))], null, null).MostSpecific(datasetId);

        /// <summary>The datasets the allowed consents cover; null means all of the unit's.</summary>
        public HashSet<Guid>? CoveredDatasets() =>
            Allowed.Any(c => c.AllDatasets) ? null : [.. Allowed.SelectMany(c => c.DatasetIds)];

        public ProblemHttpResult Problem(string category) => Problems.Problem.Of(StatusCodes.Status403Forbidden, RefusalCode!, Titles[RefusalCode!],
            RefusalDetail, new Dictionary<string, object?> { ["category"] = category });
    }

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        [ProblemCodes.ConsentRequired] = "The unit has not consented to your reading its data",
        [ProblemCodes.ConsentRevoked] = "The unit revoked its consent",
        [ProblemCodes.ConsentExpired] = "The consent has expired",
        [ProblemCodes.ConsentNotYetValid] = "The consent is not valid yet",
        [ProblemCodes.ConsentScopeMismatch] = "No consent covers this category or dataset",
        [ProblemCodes.InsufficientScope] = "The access token lacks a required scope",
        [ProblemCodes.RoleRequired] = "Your organisation's roles do not allow this",
    };

    /// <summary>
    /// Whether the caller's organisation is of a kind that reads under consent at all (the bureau, authorities). The
    /// token's scope is not part of this: <see cref="CheckAsync"/> refuses a grantee whose token lacks it.
    /// </summary>
    public static bool IsGrantee(ClaimsPrincipal caller) => Roles.ConsentGrantees.Any(caller.IsInRole);

    /// <summary>
    /// Checks the consents from <paramref name="unit"/> to the caller for <paramref name="category"/> (and
    /// <paramref name="datasetId"/> when the read concerns one dataset). The one rule for every consent-based read: the
    /// caller's organisation is a grantee (role) and its token carries scope <c>consents</c>, as for
    /// <see cref="Policies.ConsentGrantee"/>, so an endpoint that also serves other readers (downloads) cannot let a
    /// narrower token through. Reads the database every time, so a revocation counts from the very next request.
    /// </summary>
    public async Task<Decision> CheckAsync(ClaimsPrincipal caller, Guid unit, string category, Guid? datasetId, CancellationToken ct) =>
        Refusal(caller) ?? Decide(await consents.BetweenAsync(caller.OrganizationId(), unit, ct), category, datasetId);

    /// <summary>
    /// <see cref="CheckAsync"/> for reads that name the unit themselves (the authority endpoints): whether it is a source unit
    /// and what its consents allow, from one database round trip. Null when no source unit has that id.
    /// </summary>
    public async Task<Decision?> CheckUnitAsync(ClaimsPrincipal caller, Guid unit, string category, CancellationToken ct)
    {
        var (isUnit, all) = await consents.UnitAndConsentsAsync(caller.OrganizationId(), unit, ct);
        return !isUnit ? null : Refusal(caller) ?? Decide(all, category, null);
    }

    /// <summary>The refusal for a caller that may not read under consent at all, whatever the consents say.</summary>
    private Decision? Refusal(ClaimsPrincipal caller)
    {
        if (!IsGrantee(caller))
        {
            return Refuse(ProblemCodes.RoleRequired, $"Reading a unit's data under consent is for organisations with role {string.Join(" or ", Roles.ConsentGrantees)}.");
        }

        if (!caller.HasClaim(Caller.ScopeClaim, Scopes.Consents))
        {
            return Refuse(ProblemCodes.InsufficientScope, $"Reading a unit's data under consent needs a token with scope '{Scopes.Consents}'.");
        }

        return null;
    }

    private Decision Refuse(string code, string detail)
    {
        metrics.ConsentDenied(code);
        return new([], code, detail);
    }

    /// <summary>What a unit's consents to the caller allow for the category (and dataset), or exactly why they allow nothing.</summary>
    private Decision Decide(IReadOnlyList<ConsentStore.ConsentRow> all, string category, Guid? datasetId)
    {
        var now = clock.GetUtcNow();
        var matching = all.Where(c => c.Covers(category, datasetId)).ToList();
        var active = matching.Where(c => c.StatusAt(now) == ConsentStatuses.Active).ToList();
        if (active.Count > 0)
        {
            return new Decision(active, null, null);
        }

        var what = datasetId is { } d ? $"category '{category}' of dataset {d}" : $"category '{category}'";
        if (all.Count == 0)
        {
            return Refuse(ProblemCodes.ConsentRequired, $"No consent from this unit to you exists. Ask for one: POST /v1/consent-requests naming {what}.");
        }

        if (matching.Count == 0)
        {
            return Refuse(ProblemCodes.ConsentScopeMismatch, $"The unit's consents to you do not cover {what}. Ask for a consent that does.");
        }

        // Among the consents that would cover the read, say why the most recent one does not apply.
        var latest = matching.OrderByDescending(c => c.CreatedAt).First();
        return latest.StatusAt(now) switch
        {
            ConsentStatuses.Revoked => Refuse(ProblemCodes.ConsentRevoked, $"Consent {latest.Id} covering {what} was revoked at {latest.RevokedAt:yyyy-MM-ddTHH:mm:ssZ}: {latest.RevokeReason}"),
            ConsentStatuses.NotYetValid => Refuse(ProblemCodes.ConsentNotYetValid, $"Consent {latest.Id} covering {what} is valid from {latest.ValidFrom:yyyy-MM-ddTHH:mm:ssZ}."),
            _ => Refuse(ProblemCodes.ConsentExpired, $"Consent {latest.Id} covering {what} expired at {latest.ValidUntil:yyyy-MM-ddTHH:mm:ssZ}."),
        };
    }
}
