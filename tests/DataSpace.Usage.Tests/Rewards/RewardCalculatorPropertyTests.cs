using DataSpace.Usage.Rewards;

namespace DataSpace.Usage.Tests.Rewards;

/// <summary>
/// Properties over a few hundred seeded random runs each. Caps are small against revenue so that both caps bind
/// often; amounts repeat so that remainders tie; a failure names its seed, and the seed replays it exactly.
/// </summary>
public sealed class RewardCalculatorPropertyTests
{
    private const int Runs = 400;

    private sealed record Scenario(RewardPolicy Policy, List<DatasetInput> Datasets, Dictionary<Guid, long> PaidByUnit)
    {
        public RewardResult Compute() => RewardCalculator.Compute(Policy, Datasets, PaidByUnit);
    }

    private static Scenario Generate(ulong seed)
    {
        var rng = new SplitMix64(seed);
        var datasetCap = rng.Between(0, 3_000_000);
        var unitCap = rng.Between(0, 6_000_000);
        var policy = new RewardPolicy
        {
            RateBasisPoints = rng.Chance(10) ? rng.Pick([0, 10_000]) : (int)rng.Between(0, 10_000),
            DatasetCapFen = datasetCap,
            UnitCapFen = unitCap,
            CapScope = rng.Chance(50) ? CapScope.Lifetime : CapScope.PerPeriod,
            MinFiles = rng.Between(0, 2),
            MinBytes = rng.Between(0, 2),
            MinVersionsInPeriod = rng.Between(0, 2),
            MinPayingConsumers = rng.Between(0, 2),
        };

        var units = Enumerable.Range(0, (int)rng.Between(1, 4)).Select(_ => rng.NextGuid()).ToList();
        var datasets = new List<DatasetInput>();
        var count = rng.Between(1, 25);
        for (var i = 0; i < count; i++)
        {
            var revenue = rng.Chance(15) ? rng.Between(-1_000_000, 0)
                : datasets.Count > 0 && rng.Chance(25) ? rng.Pick(datasets).RevenueFen
                : rng.Between(1, 40_000_000);
            datasets.Add(new DatasetInput(
                DatasetId: rng.NextGuid(),
                UnitId: rng.Pick(units),
                RevenueFen: revenue,
                CommittedFiles: rng.Between(0, 5),
                LatestVersionBytes: rng.Between(0, 5),
                VersionsInPeriod: rng.Between(0, 5),
                PayingConsumers: rng.Between(0, 5),
                PreviouslyPaidFen: rng.Chance(50) ? 0 : rng.Between(0, datasetCap * 3 / 2)));
        }

        var paidByUnit = units.Where(_ => rng.Chance(50)).ToDictionary(u => u, _ => rng.Between(0, unitCap * 3 / 2));
        return new Scenario(policy, datasets, paidByUnit);
    }

    private static IEnumerable<(ulong Seed, Scenario Scenario, RewardResult Result)> SeededRuns()
    {
        for (ulong seed = 1; seed <= Runs; seed++)
        {
            var scenario = Generate(seed);
            yield return (seed, scenario, scenario.Compute());
        }
    }

    private static long UnitRemaining(Scenario s, Guid unitId) => s.Policy.CapScope == CapScope.Lifetime
        ? Math.Max(0, s.Policy.UnitCapFen - s.PaidByUnit.GetValueOrDefault(unitId))
        : s.Policy.UnitCapFen;

    [Fact]
    public void Unit_totals_never_exceed_the_remaining_unit_cap_and_add_up()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            foreach (var unit in result.Units)
            {
                var lines = result.Lines.Where(l => l.UnitId == unit.UnitId).ToList();
                Assert.True(unit.UnitCapRemainingFen == UnitRemaining(s, unit.UnitId), $"seed {seed}: remaining unit cap");
                Assert.True(unit.RewardFen <= unit.UnitCapRemainingFen, $"seed {seed}: unit {unit.UnitId} over its cap");
                Assert.True(unit.RewardFen == lines.Sum(l => l.RewardFen), $"seed {seed}: unit total is not the sum of its lines");
                Assert.True(unit.RequestedFen == lines.Sum(l => l.AfterDatasetCapFen), $"seed {seed}: requested");
            }

            Assert.True(result.TotalFen == result.Units.Sum(u => u.RewardFen), $"seed {seed}: grand total");
            Assert.True(result.Units.Select(u => u.UnitId).Order().SequenceEqual(s.Datasets.Select(d => d.UnitId).Distinct().Order()),
                $"seed {seed}: one total per unit with datasets");
        }
    }

    [Fact]
    public void Lines_never_exceed_the_dataset_cap_and_are_never_negative()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            Assert.True(result.Lines.Count == s.Datasets.Count, $"seed {seed}: one line per dataset");
            foreach (var line in result.Lines)
            {
                var paid = s.Datasets.Single(d => d.DatasetId == line.DatasetId).PreviouslyPaidFen;
                Assert.True(line.RewardFen >= 0, $"seed {seed}: negative reward");
                Assert.True(line.RewardFen <= line.AfterDatasetCapFen, $"seed {seed}: unit cap raised a line");
                Assert.True(line.AfterDatasetCapFen <= line.RewardBeforeCapsFen, $"seed {seed}: dataset cap raised a line");
                Assert.True(line.AfterDatasetCapFen <= line.DatasetCapRemainingFen, $"seed {seed}: over the remaining dataset cap");
                Assert.True(line.DatasetCapRemainingFen <= s.Policy.DatasetCapFen, $"seed {seed}: remaining above the cap");
                if (s.Policy.CapScope == CapScope.Lifetime && paid <= s.Policy.DatasetCapFen)
                {
                    Assert.True(paid + line.RewardFen <= s.Policy.DatasetCapFen, $"seed {seed}: lifetime dataset cap exceeded");
                }

                if (!line.Qualified || line.RevenueFen <= 0)
                {
                    Assert.True(line.RewardFen == 0, $"seed {seed}: paid without qualifying or revenue");
                }
            }
        }
    }

    [Fact]
    public void When_the_unit_cap_binds_the_unit_gets_exactly_the_remaining_cap_and_otherwise_lines_are_untouched()
    {
        var binding = 0;
        foreach (var (seed, s, result) in SeededRuns())
        {
            foreach (var unit in result.Units)
            {
                var lines = result.Lines.Where(l => l.UnitId == unit.UnitId).ToList();
                var binds = lines.Sum(l => l.AfterDatasetCapFen) > UnitRemaining(s, unit.UnitId);
                Assert.True(unit.UnitCapApplied == binds, $"seed {seed}: UnitCapApplied");
                if (binds)
                {
                    binding++;
                    Assert.True(unit.RewardFen == unit.UnitCapRemainingFen, $"seed {seed}: binding unit not paid exactly its cap");
                }
                else
                {
                    Assert.True(lines.All(l => l.RewardFen == l.AfterDatasetCapFen), $"seed {seed}: scaled without binding");
                }
            }
        }

        Assert.True(binding > Runs / 4, $"only {binding} binding units: the generator no longer exercises the unit cap");
    }

    [Fact]
    public void Scaled_shares_are_floor_or_floor_plus_one_and_the_extra_fen_follow_remainder_then_id()
    {
        foreach (var (seed, _, result) in SeededRuns())
        {
            foreach (var unit in result.Units.Where(u => u.UnitCapApplied))
            {
                var lines = result.Lines.Where(l => l.UnitId == unit.UnitId).ToList();
                Int128 sum = lines.Sum(l => l.AfterDatasetCapFen);
                var shares = lines.Select(l =>
                {
                    var product = (Int128)l.AfterDatasetCapFen * unit.UnitCapRemainingFen;
                    return (l.DatasetId, Floor: (long)(product / sum), Remainder: product % sum, Extra: l.RewardFen - (long)(product / sum));
                }).ToList();

                Assert.True(shares.All(x => x.Extra is 0 or 1), $"seed {seed}: a share is not floor or floor + 1");
                foreach (var winner in shares.Where(x => x.Extra == 1))
                {
                    foreach (var loser in shares.Where(x => x.Extra == 0))
                    {
                        var ahead = winner.Remainder > loser.Remainder
                            || (winner.Remainder == loser.Remainder && winner.DatasetId.CompareTo(loser.DatasetId) < 0);
                        Assert.True(ahead, $"seed {seed}: {winner.DatasetId} got a fen ahead of {loser.DatasetId}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Permuting_the_inputs_gives_identical_output_in_unit_then_dataset_order()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            var rng = new SplitMix64(seed ^ 0xA5A5A5A5UL);
            var shuffled = s.Datasets.ToList();
            rng.Shuffle(shuffled);
            var paid = s.PaidByUnit.ToList();
            rng.Shuffle(paid);

            var again = RewardCalculator.Compute(s.Policy, shuffled, paid.ToDictionary());

            Assert.Equal(result.Lines, again.Lines);
            Assert.Equal(result.Units, again.Units);
            Assert.Equal(result.TotalFen, again.TotalFen);
            var keys = result.Lines.Select(l => $"{l.UnitId}/{l.DatasetId}").ToList();
            Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        }
    }

    [Fact]
    public void The_same_inputs_give_the_same_output()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            var again = Generate(seed).Compute();

            Assert.Equal(result.Lines, again.Lines);
            Assert.Equal(result.Units, again.Units);
            Assert.Equal(result.TotalFen, again.TotalFen);
        }
    }

    [Fact]
    public void Raising_a_datasets_revenue_never_lowers_its_reward_before_the_unit_cap()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            var rng = new SplitMix64(seed ^ 0x5A5A5A5AUL);
            var index = (int)rng.Between(0, s.Datasets.Count - 1);
            var raised = s.Datasets.ToList();
            raised[index] = raised[index] with { RevenueFen = raised[index].RevenueFen + rng.Between(1, 10_000_000) };

            var after = RewardCalculator.Compute(s.Policy, raised, s.PaidByUnit);

            var id = raised[index].DatasetId;
            var before = result.Lines.Single(l => l.DatasetId == id);
            var now = after.Lines.Single(l => l.DatasetId == id);
            Assert.True(now.RewardBeforeCapsFen >= before.RewardBeforeCapsFen, $"seed {seed}: reward before caps fell");
            Assert.True(now.AfterDatasetCapFen >= before.AfterDatasetCapFen, $"seed {seed}: reward after the dataset cap fell");
        }
    }

    [Fact]
    public void Per_period_caps_ignore_previous_payments()
    {
        foreach (var (seed, s, result) in SeededRuns())
        {
            if (s.Policy.CapScope != CapScope.PerPeriod)
            {
                continue;
            }

            var forgotten = s.Datasets.Select(d => d with { PreviouslyPaidFen = 0 }).ToList();
            var again = RewardCalculator.Compute(s.Policy, forgotten, new Dictionary<Guid, long>());

            Assert.Equal(result.Lines, again.Lines);
            Assert.Equal(result.Units, again.Units);
        }
    }

    [Fact]
    public void Guid_order_is_the_ordinal_order_of_canonical_text()
    {
        var rng = new SplitMix64(7);
        var ids = Enumerable.Range(0, 2_000).Select(_ => rng.NextGuid()).ToList();

        Assert.Equal(ids.Order().ToList(), ids.OrderBy(g => g.ToString(), StringComparer.Ordinal).ToList());
    }
}
