namespace DataSpace.Usage.Records;

/// <summary>
/// What the bureau pays for verified records: DCMM rewards by level, trusted-data-space pilot subsidies and
/// assessment-fee subsidies. Pure functions over the verified history: money in fen, every division rounds down
/// (public money is never overpaid), the order of the history is the order of verification (ties by record id
/// and revision), so the same history always gives the same lines.
/// </summary>
public static class RecordPayments
{
    // ---- DCMM rewards -----------------------------------------------------------------------------------------

    /// <summary>The bureau's one-time reward per DCMM level, in fen. Levels 1 and 2 earn nothing.</summary>
    public sealed record DcmmAmounts(long Level3Fen, long Level4Fen, long Level5Fen)
    {
        public long For(int level) => level switch
        {
            3 => Level3Fen,
            4 => Level4Fen,
            5 => Level5Fen,
            _ => 0,
        };
    }

    /// <summary>A verified revision of a DCMM certificate record.</summary>
    public sealed record DcmmCertificate(Guid RecordId, int Revision, Guid UnitId, int Level, DateTimeOffset VerifiedAt);

    /// <summary>
    /// What one verified certificate earns: the amount of its level less what the unit was already paid for a lower
    /// level (<see cref="PreviouslyRewardedLevel"/>, 0 for none).
    /// </summary>
    public sealed record DcmmLine(DcmmCertificate Certificate, int PreviouslyRewardedLevel, long LevelAmountFen, long PreviouslyPaidFen, long RewardFen, string ReasonCode);

    public static class DcmmReasons
    {
        public const string Rewarded = "rewarded";
        public const string UpgradeDifference = "upgrade_difference";
        public const string BelowLevel3 = "below_level_3";
        public const string LevelAlreadyRewarded = "level_already_rewarded";
    }

    /// <summary>
    /// Walks each unit's verified certificates in order of verification: a level ≥ 3 earns its amount once; a later,
    /// higher level earns only the difference to what was paid; the same or a lower level never earns again.
    /// </summary>
    public static IReadOnlyList<DcmmLine> DcmmRewards(DcmmAmounts amounts, IEnumerable<DcmmCertificate> verified)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var lines = new List<DcmmLine>();
        var rewardedLevel = new Dictionary<Guid, int>();
        foreach (var c in verified.OrderBy(c => c.VerifiedAt).ThenBy(c => c.RecordId).ThenBy(c => c.Revision))
        {
            var previous = rewardedLevel.GetValueOrDefault(c.UnitId);
            var paid = amounts.For(previous);
            var amount = amounts.For(c.Level);
            if (c.Level < 3)
            {
                lines.Add(new DcmmLine(c, previous, amount, paid, 0, DcmmReasons.BelowLevel3));
            }
            else if (c.Level <= previous || amount <= paid)
            {
                lines.Add(new DcmmLine(c, previous, amount, paid, 0, DcmmReasons.LevelAlreadyRewarded));
            }
            else
            {
                rewardedLevel[c.UnitId] = c.Level;
                lines.Add(new DcmmLine(c, previous, amount, paid, amount - paid, previous == 0 ? DcmmReasons.Rewarded : DcmmReasons.UpgradeDifference));
            }
        }

        return lines;
    }

    // ---- Trusted-data-space pilot subsidies ----------------------------------------------------------------------

    /// <summary>The subsidy terms of a pilot level (seed 000): 10 % / 5 % / 3 % of construction cost, capped at 1,000,000 / 500,000 / 300,000 CNY.</summary>
    public static (int RateBasisPoints, long CapFen) PilotTerms(string level) => level switch
    {
        "national" => (1000, 100_000_000),
        "provincial" => (500, 50_000_000),
        "city" => (300, 30_000_000),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "not a pilot level"),
    };

    public sealed record Pilot(Guid RecordId, int Revision, Guid UnitId, string Level, long ConstructionCostFen, DateTimeOffset VerifiedAt);

    public sealed record PilotLine(Pilot Pilot, int RateBasisPoints, long CapFen, long BeforeCapFen, long SubsidyFen, string ReasonCode);

    public static class PilotReasons
    {
        public const string Subsidised = "subsidised";
        public const string Capped = "capped";
        public const string AlreadySubsidisedAtLevel = "already_subsidised_at_level";
    }

    /// <summary>One subsidy per unit and level: the first verified pilot of that level earns it, later ones (other projects or new revisions) earn nothing.</summary>
    public static IReadOnlyList<PilotLine> PilotSubsidies(IEnumerable<Pilot> verified)
    {
        var lines = new List<PilotLine>();
        var subsidised = new HashSet<(Guid, string)>();
        foreach (var p in verified.OrderBy(p => p.VerifiedAt).ThenBy(p => p.RecordId).ThenBy(p => p.Revision))
        {
            var (rate, cap) = PilotTerms(p.Level);
            var before = BasisPoints.Of(p.ConstructionCostFen, rate);
            if (!subsidised.Add((p.UnitId, p.Level)))
            {
                lines.Add(new PilotLine(p, rate, cap, before, 0, PilotReasons.AlreadySubsidisedAtLevel));
                continue;
            }

            lines.Add(before > cap
                ? new PilotLine(p, rate, cap, before, cap, PilotReasons.Capped)
                : new PilotLine(p, rate, cap, before, before, PilotReasons.Subsidised));
        }

        return lines;
    }

    // ---- Assessment-fee subsidies ------------------------------------------------------------------------------

    /// <summary>
    /// The bureau's assessment-fee subsidy: a share of the fee, at most the cap per valuation; optionally only for assets
    /// one of whose datasets held a valid listing certificate when the revision was verified.
    /// </summary>
    public sealed record FeeSubsidyPolicy(int RateBasisPoints, long CapFen, bool RequireListingCertificate = false);

    /// <summary>A valuation of a verified data-asset revision.</summary>
    /// <param name="ListingCertificate">
    /// The number of a listing certificate in force, when the revision was verified, for one of the datasets the asset books.
    /// </param>
    public sealed record Valuation(Guid AssetId, int Revision, Guid ValuationId, Guid UnitId, long AssessmentFeeFen, DateTimeOffset VerifiedAt,
        string? ListingCertificate = null);

    public sealed record FeeSubsidyLine(Valuation Valuation, long BeforeCapFen, long SubsidyFen, string ReasonCode);

    /// <summary>Each valuation is subsidised once, with the first verified revision that carries it; later revisions repeat it at 0.</summary>
    public static IReadOnlyList<FeeSubsidyLine> FeeSubsidies(FeeSubsidyPolicy policy, IEnumerable<Valuation> verified)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var lines = new List<FeeSubsidyLine>();
        var seen = new HashSet<Guid>();
        foreach (var v in verified.OrderBy(v => v.VerifiedAt).ThenBy(v => v.AssetId).ThenBy(v => v.Revision).ThenBy(v => v.ValuationId))
        {
            var before = BasisPoints.Of(v.AssessmentFeeFen, policy.RateBasisPoints);
            // Not paid, and not counted as paid: a later verified revision whose asset is certified by then is subsidised.
            if (policy.RequireListingCertificate && v.ListingCertificate is null)
            {
                lines.Add(new FeeSubsidyLine(v, before, 0, "no_valid_listing_certificate"));
                continue;
            }

            if (!seen.Add(v.ValuationId))
            {
                lines.Add(new FeeSubsidyLine(v, before, 0, "already_subsidised"));
                continue;
            }

            lines.Add(before > policy.CapFen
                ? new FeeSubsidyLine(v, before, policy.CapFen, "capped")
                : new FeeSubsidyLine(v, before, before, "subsidised"));
        }

        return lines;
    }
}
