namespace DataSpace.Usage.Rewards;

/// <summary>
/// Corpus rewards (DESIGN.md "Corpus rewards"): a pure function from a policy, the period's datasets and what earlier
/// runs paid, to reward lines. No I/O, no clock, no floating point: money is <see cref="long"/> fen, products are taken
/// in <see cref="Int128"/>, and every division rounds down, because public money is never overpaid.
/// </summary>
public static class RewardCalculator
{
    /// <summary>Basis points in a whole: a rate of 10000 pays all the revenue.</summary>

    /// <summary>
    /// Computes one run. Lines, units and totals do not depend on the order of <paramref name="datasets"/>.
    /// </summary>
    /// <param name="previouslyPaidByUnit">
    /// What approved earlier runs paid each unit; a missing unit has been paid nothing. Read only when caps are
    /// <see cref="CapScope.Lifetime"/>. It is an input in its own right rather than the sum of the datasets'
    /// <see cref="DatasetInput.PreviouslyPaidFen"/>, because a unit may have been paid for datasets no longer listed.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The policy is out of range, a dataset id appears twice, or a count or earlier payment is negative.
    /// </exception>
    /// <exception cref="OverflowException">A unit's requested total or the grand total exceeds <see cref="long.MaxValue"/> fen.</exception>
    public static RewardResult Compute(RewardPolicy policy, IEnumerable<DatasetInput> datasets, IReadOnlyDictionary<Guid, long> previouslyPaidByUnit)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(previouslyPaidByUnit);
        ValidatePolicy(policy);

        var inputs = datasets.ToList();
        ValidateInputs(inputs, previouslyPaidByUnit);

        // Dataset ids are unique, so (unit, dataset) is a total order and the input order is gone from here on.
        inputs.Sort(static (x, y) => x.UnitId != y.UnitId ? x.UnitId.CompareTo(y.UnitId) : x.DatasetId.CompareTo(y.DatasetId));

        var lines = new List<RewardLine>(inputs.Count);
        var units = new List<UnitTotal>();
        long total = 0;
        for (var start = 0; start < inputs.Count;)
        {
            var unitId = inputs[start].UnitId;
            var end = start;
            while (end < inputs.Count && inputs[end].UnitId == unitId)
            {
                end++;
            }

            var unitLines = new RewardLine[end - start];
            for (var i = 0; i < unitLines.Length; i++)
            {
                unitLines[i] = BeforeUnitCap(policy, inputs[start + i]);
            }

            var unit = ApplyUnitCap(policy, unitId, unitLines, previouslyPaidByUnit.GetValueOrDefault(unitId));
            lines.AddRange(unitLines);
            units.Add(unit);
            total = checked(total + unit.RewardFen);
            start = end;
        }

        return new RewardResult(lines, units, total);
    }

    private static RewardLine BeforeUnitCap(RewardPolicy policy, DatasetInput d)
    {
        var (files, bytes, versions, consumers, rows, completeness, certificate) =
            Judge(policy, d.CommittedFiles, d.LatestVersionBytes, d.VersionsInPeriod, d.PayingConsumers, d.LatestVersionRows, d.CompletenessBasisPoints, d.ListingCertificate);
        var qualified = files.Passed && bytes.Passed && versions.Passed && consumers.Passed && (rows?.Passed ?? true) && (completeness?.Passed ?? true)
            && (certificate?.Passed ?? true);

        var beforeCaps = qualified && d.RevenueFen > 0 ? BasisPoints.Of(d.RevenueFen, policy.RateBasisPoints) : 0;
        var capRemaining = policy.CapScope == CapScope.Lifetime
            ? Math.Max(0, policy.DatasetCapFen - d.PreviouslyPaidFen)
            : policy.DatasetCapFen;
        var afterCap = Math.Min(beforeCaps, capRemaining);

        var reason = !qualified ? RewardReasons.NotQualified
            : d.RevenueFen <= 0 ? RewardReasons.NoRevenue
            : afterCap < beforeCaps ? RewardReasons.DatasetCap
            : RewardReasons.Ok;

        return new RewardLine(d.DatasetId, d.UnitId, d.RevenueFen, files, bytes, versions, consumers, qualified,
            beforeCaps, capRemaining, afterCap, afterCap, reason, rows, completeness, certificate);
    }

    /// <summary>
    /// The criteria a dataset is judged by under <paramref name="policy"/>, from its evidence: the four always, rows,
    /// completeness and the listing certificate only when the policy sets them. The calculator judges with it, and a stored
    /// line (which keeps only its evidence; the thresholds are the run's immutable policy) is read back with it, so both say
    /// exactly the same.
    /// </summary>
    /// <param name="listingCertificate">The number of the dataset's listing certificate in force in the period, if it has one.</param>
    public static (CriterionResult Files, CriterionResult Bytes, CriterionResult Versions, CriterionResult Consumers, CriterionResult? Rows, CriterionResult? Completeness,
        CriterionResult? ListingCertificate) Judge(
        RewardPolicy policy, long committedFiles, long latestVersionBytes, long versionsInPeriod, long payingConsumers, long latestVersionRows, long completenessBasisPoints,
        string? listingCertificate)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return (Check(RewardCriteria.CommittedFiles, committedFiles, policy.MinFiles, RewardReasons.BelowMinFiles),
            Check(RewardCriteria.LatestVersionBytes, latestVersionBytes, policy.MinBytes, RewardReasons.BelowMinBytes),
            Check(RewardCriteria.VersionsInPeriod, versionsInPeriod, policy.MinVersionsInPeriod, RewardReasons.BelowMinVersions),
            Check(RewardCriteria.PayingConsumers, payingConsumers, policy.MinPayingConsumers, RewardReasons.BelowMinPayingConsumers),
            policy.MinRows is { } minRows ? Check(RewardCriteria.LatestVersionRows, latestVersionRows, minRows, RewardReasons.BelowMinRows) : null,
            policy.MinCompletenessBasisPoints is { } minCompleteness
                ? Check(RewardCriteria.Completeness, completenessBasisPoints, minCompleteness, RewardReasons.BelowMinCompleteness)
                : null,
            // Evidence 1 with the certificate's number, or 0: the certificate is the evidence, and the line names it.
            policy.RequireListingCertificate
                ? Check(RewardCriteria.ListingCertificate, listingCertificate is null ? 0 : 1, 1, RewardReasons.NoValidListingCertificate) with { Reference = listingCertificate }
                : null);
    }

    private static CriterionResult Check(string criterion, long evidence, long threshold, string failure)
    {
        var passed = evidence >= threshold;
        return new CriterionResult(criterion, evidence, threshold, passed, passed ? RewardReasons.Ok : failure);
    }

    /// <summary>Scales the unit's lines in place when their sum exceeds what is left of the unit cap.</summary>
    private static UnitTotal ApplyUnitCap(RewardPolicy policy, Guid unitId, RewardLine[] lines, long previouslyPaid)
    {
        var remaining = policy.CapScope == CapScope.Lifetime
            ? Math.Max(0, policy.UnitCapFen - previouslyPaid)
            : policy.UnitCapFen;

        Int128 requested = 0;
        foreach (var line in lines)
        {
            requested += line.AfterDatasetCapFen;
        }

        if (requested <= remaining)
        {
            return new UnitTotal(unitId, remaining, (long)requested, (long)requested, UnitCapApplied: false);
        }

        var amounts = Array.ConvertAll(lines, l => l.AfterDatasetCapFen);
        var ids = Array.ConvertAll(lines, l => l.DatasetId);
        var scaled = Apportion(amounts, ids, remaining);
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i] with
            {
                RewardFen = scaled[i],
                ReasonCode = lines[i].AfterDatasetCapFen > 0 ? RewardReasons.UnitCap : lines[i].ReasonCode,
            };
        }

        return new UnitTotal(unitId, remaining, checked((long)requested), remaining, UnitCapApplied: true);
    }

    /// <summary>
    /// Largest-remainder apportionment of <paramref name="target"/> in proportion to <paramref name="amounts"/>, whose
    /// sum S must exceed the target T ≥ 0. Each share starts at floor(a × T / S); the T − Σ floors fen left over go one
    /// each to the largest remainders (a × T mod S), ties to the smaller dataset id (<see cref="Guid.CompareTo(Guid)"/>).
    /// The remainders sum to S × leftover and each is below S, so more datasets have a remainder than there are fen
    /// left: nobody gets two, nobody with remainder 0 gets one, and since a × T / S &lt; a no share exceeds its amount.
    /// </summary>
    private static long[] Apportion(long[] amounts, Guid[] ids, long target)
    {
        Int128 sum = 0;
        foreach (var a in amounts)
        {
            sum += a;
        }

        var shares = new long[amounts.Length];
        var remainders = new Int128[amounts.Length];
        long handedOut = 0;
        for (var i = 0; i < amounts.Length; i++)
        {
            // a × T < 2^126 fits Int128; the quotient is below a, so it fits long.
            var product = (Int128)amounts[i] * target;
            shares[i] = (long)(product / sum);
            remainders[i] = product % sum;
            handedOut += shares[i];
        }

        var leftover = target - handedOut;
        var order = Enumerable.Range(0, amounts.Length)
            .OrderByDescending(i => remainders[i])
            .ThenBy(i => ids[i])
            .Take(checked((int)leftover));
        foreach (var i in order)
        {
            shares[i]++;
        }

        return shares;
    }

    private static void ValidatePolicy(RewardPolicy policy)
    {
        if (policy.RateBasisPoints is < 0 or > BasisPoints.Whole)
        {
            throw new ArgumentException($"RateBasisPoints must be between 0 and {BasisPoints.Whole} (basis points); got {policy.RateBasisPoints}.", nameof(policy));
        }

        if (!Enum.IsDefined(policy.CapScope))
        {
            throw new ArgumentException($"CapScope must be PerPeriod or Lifetime; got {(int)policy.CapScope}.", nameof(policy));
        }

        RequireNonNegative(policy.DatasetCapFen, nameof(RewardPolicy.DatasetCapFen), nameof(policy));
        RequireNonNegative(policy.UnitCapFen, nameof(RewardPolicy.UnitCapFen), nameof(policy));
        RequireNonNegative(policy.MinFiles, nameof(RewardPolicy.MinFiles), nameof(policy));
        RequireNonNegative(policy.MinBytes, nameof(RewardPolicy.MinBytes), nameof(policy));
        RequireNonNegative(policy.MinVersionsInPeriod, nameof(RewardPolicy.MinVersionsInPeriod), nameof(policy));
        RequireNonNegative(policy.MinPayingConsumers, nameof(RewardPolicy.MinPayingConsumers), nameof(policy));
        RequireNonNegative(policy.MinRows ?? 0, nameof(RewardPolicy.MinRows), nameof(policy));
        if (policy.MinCompletenessBasisPoints is < 0 or > BasisPoints.Whole)
        {
            throw new ArgumentException($"MinCompletenessBasisPoints must be between 0 and {BasisPoints.Whole}; got {policy.MinCompletenessBasisPoints}.", nameof(policy));
        }
    }

    private static void ValidateInputs(List<DatasetInput> datasets, IReadOnlyDictionary<Guid, long> previouslyPaidByUnit)
    {
        var seen = new HashSet<Guid>(datasets.Count);
        foreach (var d in datasets)
        {
            if (d is null)
            {
                throw new ArgumentException("Datasets must not contain null.", nameof(datasets));
            }

            if (!seen.Add(d.DatasetId))
            {
                throw new ArgumentException($"Dataset {d.DatasetId} appears more than once; each dataset belongs to one unit and has one line.", nameof(datasets));
            }

            // The message names the dataset only when one is refused: a city's run validates 100,000 of them.
            RequireNonNegative(d.CommittedFiles, d.DatasetId, nameof(DatasetInput.CommittedFiles), nameof(datasets));
            RequireNonNegative(d.LatestVersionBytes, d.DatasetId, nameof(DatasetInput.LatestVersionBytes), nameof(datasets));
            RequireNonNegative(d.VersionsInPeriod, d.DatasetId, nameof(DatasetInput.VersionsInPeriod), nameof(datasets));
            RequireNonNegative(d.PayingConsumers, d.DatasetId, nameof(DatasetInput.PayingConsumers), nameof(datasets));
            RequireNonNegative(d.PreviouslyPaidFen, d.DatasetId, nameof(DatasetInput.PreviouslyPaidFen), nameof(datasets));
            RequireNonNegative(d.LatestVersionRows, d.DatasetId, nameof(DatasetInput.LatestVersionRows), nameof(datasets));
            RequireNonNegative(d.LatestVersionNullCells, d.DatasetId, nameof(DatasetInput.LatestVersionNullCells), nameof(datasets));
            if (d.LatestVersionCells < d.LatestVersionNullCells)
            {
                throw new ArgumentException($"Dataset {d.DatasetId} has more null cells ({d.LatestVersionNullCells}) than cells ({d.LatestVersionCells}).", nameof(datasets));
            }
        }

        foreach (var (unitId, paid) in previouslyPaidByUnit)
        {
            RequireNonNegative(paid, $"Previously paid for unit {unitId}", nameof(previouslyPaidByUnit));
        }
    }

    private static void RequireNonNegative(long value, Guid datasetId, string member, string paramName)
    {
        if (value < 0)
        {
            throw new ArgumentException($"Dataset {datasetId} {member} must not be negative; got {value}.", paramName);
        }
    }

    private static void RequireNonNegative(long value, string what, string paramName)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{what} must not be negative; got {value}.", paramName);
        }
    }
}
