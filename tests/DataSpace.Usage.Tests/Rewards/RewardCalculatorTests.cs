using System.Numerics;
using DataSpace.Usage.Rewards;
using static DataSpace.Usage.Tests.Rewards.Build;

namespace DataSpace.Usage.Tests.Rewards;

/// <summary>Hand-worked cases. Money is fen: 10,000,000 fen is the 100,000 CNY dataset cap, 20,000,000 the unit cap.</summary>
public sealed class RewardCalculatorTests
{
    [Fact]
    public void Qualified_dataset_earns_ten_percent_rounded_down()
    {
        // 1,234,567 × 1000 / 10000 = 123,456.7 → 123,456 fen: public money is never overpaid.
        var result = RewardCalculator.Compute(Policy(), [Dataset(1, 1_234_567)], NothingPaid);

        var line = result.Line(1);
        Assert.True(line.Qualified);
        Assert.Equal(123_456, line.RewardBeforeCapsFen);
        Assert.Equal(123_456, line.RewardFen);
        Assert.Equal(RewardReasons.Ok, line.ReasonCode);
        Assert.All(line.Criteria, c => Assert.Equal(RewardReasons.Ok, c.ReasonCode));
        Assert.Equal(123_456, result.TotalFen);
    }

    [Fact]
    public void No_revenue_earns_nothing()
    {
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 0)], NothingPaid).Line(1);

        Assert.True(line.Qualified);
        Assert.Equal(0, line.RewardBeforeCapsFen);
        Assert.Equal(0, line.RewardFen);
        Assert.Equal(RewardReasons.NoRevenue, line.ReasonCode);
    }

    [Fact]
    public void Negative_revenue_after_refunds_earns_zero_not_a_negative_reward()
    {
        var result = RewardCalculator.Compute(Policy(), [Dataset(1, -250_000), Dataset(2, 1_000)], NothingPaid);

        Assert.Equal(0, result.Line(1).RewardFen);
        Assert.Equal(RewardReasons.NoRevenue, result.Line(1).ReasonCode);
        Assert.Equal(100, result.Line(2).RewardFen);
        Assert.Equal(100, result.TotalFen);
    }

    [Fact]
    public void Revenue_too_small_for_one_fen_earns_zero_with_reason_ok()
    {
        // 9 × 1000 / 10000 = 0.9 → 0.
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 9)], NothingPaid).Line(1);

        Assert.Equal(0, line.RewardFen);
        Assert.Equal(RewardReasons.Ok, line.ReasonCode);
    }

    [Theory]
    [InlineData(RewardCriteria.CommittedFiles, RewardReasons.BelowMinFiles)]
    [InlineData(RewardCriteria.LatestVersionBytes, RewardReasons.BelowMinBytes)]
    [InlineData(RewardCriteria.VersionsInPeriod, RewardReasons.BelowMinVersions)]
    [InlineData(RewardCriteria.PayingConsumers, RewardReasons.BelowMinPayingConsumers)]
    public void One_below_a_threshold_fails_that_criterion_with_its_reason_and_earns_nothing(string criterion, string reason)
    {
        var atThreshold = Dataset(1, 50_000_000);
        var input = criterion switch
        {
            RewardCriteria.CommittedFiles => atThreshold with { CommittedFiles = 9 },
            RewardCriteria.LatestVersionBytes => atThreshold with { LatestVersionBytes = 999_999 },
            RewardCriteria.VersionsInPeriod => atThreshold with { VersionsInPeriod = 3 },
            RewardCriteria.PayingConsumers => atThreshold with { PayingConsumers = 2 },
            _ => throw new ArgumentOutOfRangeException(nameof(criterion)),
        };

        var line = RewardCalculator.Compute(Policy(), [input], NothingPaid).Line(1);

        Assert.False(line.Qualified);
        Assert.Equal(RewardReasons.NotQualified, line.ReasonCode);
        Assert.Equal(0, line.RewardBeforeCapsFen);
        Assert.Equal(0, line.RewardFen);
        var failed = Assert.Single(line.Criteria, c => !c.Passed);
        Assert.Equal(criterion, failed.Criterion);
        Assert.Equal(reason, failed.ReasonCode);
        Assert.Equal(failed.Threshold - 1, failed.Evidence);
        Assert.All(line.Criteria.Where(c => c.Passed), c => Assert.Equal(RewardReasons.Ok, c.ReasonCode));
    }

    [Fact]
    public void Criteria_record_evidence_and_thresholds_and_exactly_at_threshold_passes()
    {
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 1_000)], NothingPaid).Line(1);

        Assert.Equal(
            [
                new CriterionResult(RewardCriteria.CommittedFiles, 10, 10, true, RewardReasons.Ok),
                new CriterionResult(RewardCriteria.LatestVersionBytes, 1_000_000, 1_000_000, true, RewardReasons.Ok),
                new CriterionResult(RewardCriteria.VersionsInPeriod, 4, 4, true, RewardReasons.Ok),
                new CriterionResult(RewardCriteria.PayingConsumers, 3, 3, true, RewardReasons.Ok),
            ],
            line.Criteria);
    }

    [Fact]
    public void Failing_several_criteria_records_every_failure_and_not_qualified_wins_over_no_revenue()
    {
        var input = Dataset(1, -5) with { CommittedFiles = 0, PayingConsumers = 0 };

        var line = RewardCalculator.Compute(Policy(), [input], NothingPaid).Line(1);

        Assert.Equal(RewardReasons.NotQualified, line.ReasonCode);
        Assert.Equal(
            [RewardReasons.BelowMinFiles, RewardReasons.Ok, RewardReasons.Ok, RewardReasons.BelowMinPayingConsumers],
            line.Criteria.Select(c => c.ReasonCode));
    }

    [Fact]
    public void Exactly_at_the_dataset_cap_is_paid_in_full()
    {
        // 100,000,000 × 10 % = 10,000,000 = the cap.
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 100_000_000)], NothingPaid).Line(1);

        Assert.Equal(10_000_000, line.RewardBeforeCapsFen);
        Assert.Equal(10_000_000, line.RewardFen);
        Assert.Equal(RewardReasons.Ok, line.ReasonCode);
    }

    [Fact]
    public void One_fen_over_the_dataset_cap_is_cut_to_the_cap()
    {
        // 100,000,010 × 10 % = 10,000,001: one fen over. (100,000,001 would round down to exactly the cap.)
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 100_000_010)], NothingPaid).Line(1);

        Assert.Equal(10_000_001, line.RewardBeforeCapsFen);
        Assert.Equal(10_000_000, line.DatasetCapRemainingFen);
        Assert.Equal(10_000_000, line.AfterDatasetCapFen);
        Assert.Equal(10_000_000, line.RewardFen);
        Assert.Equal(RewardReasons.DatasetCap, line.ReasonCode);
    }

    [Fact]
    public void Exactly_at_the_unit_cap_nothing_is_scaled()
    {
        // 10,000,000 + 9,999,999 + 1 = 20,000,000 = the unit cap: requested does not exceed it.
        var result = RewardCalculator.Compute(Policy(),
            [Dataset(1, 100_000_000), Dataset(2, 99_999_990), Dataset(3, 10)], NothingPaid);

        Assert.Equal([10_000_000, 9_999_999, 1], result.Lines.Select(l => l.RewardFen));
        Assert.All(result.Lines, l => Assert.Equal(RewardReasons.Ok, l.ReasonCode));
        Assert.Equal(new UnitTotal(UnitA, 20_000_000, 20_000_000, 20_000_000, UnitCapApplied: false), result.Unit(UnitA));
    }

    [Fact]
    public void One_fen_over_the_unit_cap_scales_and_the_leftover_goes_by_largest_remainder_then_id()
    {
        // After dataset caps: 10,000,000 / 10,000,000 / 1 → S = 20,000,001 against T = 20,000,000.
        //   a × T                      floor(a × T / S)   remainder (a × T mod S)
        //   200,000,000,000,000        9,999,999          10,000,001
        //   200,000,000,000,000        9,999,999          10,000,001
        //            20,000,000                0          20,000,000
        // Floors sum to 19,999,998: 2 fen left. Largest remainder first: dataset 3 (20,000,000) gets 1 fen; then
        // datasets 1 and 2 tie at 10,000,001 and the smaller id, dataset 1, gets the other. Total = 20,000,000.
        var result = RewardCalculator.Compute(Policy(),
            [Dataset(2, 100_000_000), Dataset(3, 10), Dataset(1, 100_000_000)], NothingPaid);

        Assert.Equal([10_000_000, 9_999_999, 1], result.Lines.Select(l => l.RewardFen));
        Assert.All(result.Lines, l => Assert.Equal(RewardReasons.UnitCap, l.ReasonCode));
        Assert.Equal(new UnitTotal(UnitA, 20_000_000, 20_000_001, 20_000_000, UnitCapApplied: true), result.Unit(UnitA));
    }

    [Fact]
    public void Many_datasets_over_the_unit_cap_are_scaled_proportionally_to_exactly_the_cap()
    {
        // After dataset caps: 7,000,000 / 7,000,000 / 9,000,001 → S = 23,000,001 against T = 20,000,000.
        //   a × T                      floor(a × T / S)   remainder (a × T mod S)
        //   140,000,000,000,000        6,086,956           5,913,044   (6,086,956 × 23,000,001 = 139,999,994,086,956)
        //   140,000,000,000,000        6,086,956           5,913,044
        //   180,000,020,000,000        7,826,087          11,173,913   (7,826,087 × 23,000,001 = 180,000,008,826,087)
        // Floors sum to 19,999,999: 1 fen left, to the largest remainder, dataset 3 → 7,826,088.
        // Check: remainders sum to 23,000,001 = S × 1 leftover fen. Total 6,086,956 × 2 + 7,826,088 = 20,000,000.
        var result = RewardCalculator.Compute(Policy(),
            [Dataset(1, 70_000_000), Dataset(2, 70_000_000), Dataset(3, 90_000_010)], NothingPaid);

        Assert.Equal([7_000_000, 7_000_000, 9_000_001], result.Lines.Select(l => l.AfterDatasetCapFen));
        Assert.Equal([6_086_956, 6_086_956, 7_826_088], result.Lines.Select(l => l.RewardFen));
        Assert.Equal(new UnitTotal(UnitA, 20_000_000, 23_000_001, 20_000_000, UnitCapApplied: true), result.Unit(UnitA));
        Assert.Equal(20_000_000, result.TotalFen);
    }

    [Fact]
    public void Equal_remainders_go_to_the_smaller_id_in_canonical_text_order_not_byte_order()
    {
        // Three datasets of 10 fen each against a 20 fen cap: each 10 × 20 / 30 = 6 rem 20; 2 fen left over, and all
        // three remainders tie. The ids differ in the first group: 00000001-… < 00000100-… < 00010000-… as text (and as
        // Guid.CompareTo and PostgreSQL uuid order them), while Guid.ToByteArray() (little-endian first group) orders
        // them the other way round. The two smallest as text get a fen each.
        var first = new Guid("00000001-0000-0000-0000-000000000000");
        var second = new Guid("00000100-0000-0000-0000-000000000000");
        var third = new Guid("00010000-0000-0000-0000-000000000000");
        var policy = Policy() with { UnitCapFen = 20 };
        DatasetInput Ten(Guid id) => Dataset(0, 100) with { DatasetId = id };

        var result = RewardCalculator.Compute(policy, [Ten(third), Ten(second), Ten(first)], NothingPaid);

        Assert.Equal([first, second, third], result.Lines.Select(l => l.DatasetId));
        Assert.Equal([7, 7, 6], result.Lines.Select(l => l.RewardFen));
        Assert.Equal(20, result.TotalFen);
    }

    [Fact]
    public void Units_are_capped_independently_and_ordered_by_unit_then_dataset()
    {
        // Unit B requests 25,000,000 (two at the dataset cap, one at 5,000,000) and is scaled to 20,000,000:
        // 10,000,000 × 20/25 = 8,000,000 twice and 4,000,000, no remainders. Unit A requests 3,000,000 and keeps it.
        var result = RewardCalculator.Compute(Policy(),
        [
            Dataset(5, 50_000_000, UnitB), Dataset(2, 30_000_000, UnitA), Dataset(4, 200_000_000, UnitB),
            Dataset(3, 100_000_000, UnitB),
        ], NothingPaid);

        Assert.Equal([(UnitA, Id(2)), (UnitB, Id(3)), (UnitB, Id(4)), (UnitB, Id(5))], result.Lines.Select(l => (l.UnitId, l.DatasetId)));
        Assert.Equal([3_000_000, 8_000_000, 8_000_000, 4_000_000], result.Lines.Select(l => l.RewardFen));
        Assert.Equal(
            [
                new UnitTotal(UnitA, 20_000_000, 3_000_000, 3_000_000, UnitCapApplied: false),
                new UnitTotal(UnitB, 20_000_000, 25_000_000, 20_000_000, UnitCapApplied: true),
            ],
            result.Units);
        Assert.Equal(23_000_000, result.TotalFen);
    }

    [Fact]
    public void Lifetime_caps_carry_what_the_first_run_paid_into_the_second()
    {
        var policy = Policy(CapScope.Lifetime);

        // Run 1: 8,000,000 + 6,000,000 = 14,000,000, under both caps.
        var first = RewardCalculator.Compute(policy, [Dataset(1, 80_000_000), Dataset(2, 60_000_000)], NothingPaid);
        Assert.Equal([8_000_000, 6_000_000], first.Lines.Select(l => l.RewardFen));

        // Run 2, fed what run 1 paid. Before caps: 5,000,000 / 6,000,000 / 3,000,000 (dataset 3 is new).
        // Dataset caps left: 2,000,000 / 4,000,000 / 10,000,000 → 2,000,000 / 4,000,000 / 3,000,000 = 9,000,000 requested.
        // Unit cap left: 20,000,000 − 14,000,000 = 6,000,000, so it binds: T = 6,000,000, S = 9,000,000.
        //   2,000,000 × T / S = 1,333,333 rem 3,000,000
        //   4,000,000 × T / S = 2,666,666 rem 6,000,000   ← the 1 leftover fen (largest remainder)
        //   3,000,000 × T / S = 2,000,000 rem 0
        var paid = first.Lines.ToDictionary(l => l.DatasetId, l => l.RewardFen);
        var paidByUnit = first.Units.ToDictionary(u => u.UnitId, u => u.RewardFen);
        var second = RewardCalculator.Compute(policy,
            [Dataset(1, 50_000_000, previouslyPaidFen: paid[Id(1)]), Dataset(2, 60_000_000, previouslyPaidFen: paid[Id(2)]), Dataset(3, 30_000_000)],
            paidByUnit);

        Assert.Equal([2_000_000, 4_000_000, 10_000_000], second.Lines.Select(l => l.DatasetCapRemainingFen));
        Assert.Equal([2_000_000, 4_000_000, 3_000_000], second.Lines.Select(l => l.AfterDatasetCapFen));
        Assert.Equal([1_333_333, 2_666_667, 2_000_000], second.Lines.Select(l => l.RewardFen));
        Assert.Equal(new UnitTotal(UnitA, 6_000_000, 9_000_000, 6_000_000, UnitCapApplied: true), second.Unit(UnitA));

        // Run 3: the unit has had its 20,000,000; nothing more, whatever the revenue.
        var third = RewardCalculator.Compute(policy,
            [Dataset(3, 30_000_000, previouslyPaidFen: 2_000_000)], new Dictionary<Guid, long> { [UnitA] = 20_000_000 });
        Assert.Equal(0, third.Line(3).RewardFen);
        Assert.Equal(RewardReasons.UnitCap, third.Line(3).ReasonCode);
        Assert.Equal(0, third.TotalFen);
    }

    [Fact]
    public void Lifetime_cap_already_overpaid_leaves_zero_not_a_negative_remainder()
    {
        // The bureau lowered the dataset cap after paying 12,000,000 under an older policy version.
        var policy = Policy(CapScope.Lifetime);

        var line = RewardCalculator.Compute(policy, [Dataset(1, 10_000_000, previouslyPaidFen: 12_000_000)],
            new Dictionary<Guid, long> { [UnitA] = 25_000_000 }).Line(1);

        Assert.Equal(0, line.DatasetCapRemainingFen);
        Assert.Equal(1_000_000, line.RewardBeforeCapsFen);
        Assert.Equal(0, line.RewardFen);
        Assert.Equal(RewardReasons.DatasetCap, line.ReasonCode);
    }

    [Fact]
    public void Per_period_caps_ignore_previous_payments()
    {
        // The second run of the lifetime case, per period: 5,000,000 + 6,000,000 + 3,000,000 = 14,000,000, all paid.
        var result = RewardCalculator.Compute(Policy(CapScope.PerPeriod),
            [Dataset(1, 50_000_000, previouslyPaidFen: 8_000_000), Dataset(2, 60_000_000, previouslyPaidFen: 6_000_000), Dataset(3, 30_000_000)],
            new Dictionary<Guid, long> { [UnitA] = 14_000_000 });

        Assert.Equal([10_000_000, 10_000_000, 10_000_000], result.Lines.Select(l => l.DatasetCapRemainingFen));
        Assert.Equal([5_000_000, 6_000_000, 3_000_000], result.Lines.Select(l => l.RewardFen));
        Assert.Equal(new UnitTotal(UnitA, 20_000_000, 14_000_000, 14_000_000, UnitCapApplied: false), result.Unit(UnitA));
    }

    [Fact]
    public void No_datasets_gives_an_empty_result()
    {
        var result = RewardCalculator.Compute(Policy(), [], new Dictionary<Guid, long> { [UnitA] = 5 });

        Assert.Empty(result.Lines);
        Assert.Empty(result.Units);
        Assert.Equal(0, result.TotalFen);
    }

    [Fact]
    public void Extreme_revenue_is_multiplied_without_overflow()
    {
        var policy = Policy() with { RateBasisPoints = 9_999, DatasetCapFen = long.MaxValue, UnitCapFen = long.MaxValue };

        var line = RewardCalculator.Compute(policy, [Dataset(1, long.MaxValue)], NothingPaid).Line(1);

        Assert.Equal((long)(new BigInteger(long.MaxValue) * 9_999 / 10_000), line.RewardFen);
        var all = RewardCalculator.Compute(policy with { RateBasisPoints = 10_000 }, [Dataset(1, long.MaxValue)], NothingPaid);
        Assert.Equal(long.MaxValue, all.TotalFen);
    }

    [Fact]
    public void A_unit_total_beyond_long_throws_rather_than_wrapping()
    {
        var policy = Policy() with { RateBasisPoints = 10_000, DatasetCapFen = long.MaxValue, UnitCapFen = long.MaxValue };

        Assert.Throws<OverflowException>(() =>
            RewardCalculator.Compute(policy, [Dataset(1, long.MaxValue), Dataset(2, long.MaxValue)], NothingPaid));
    }
}
