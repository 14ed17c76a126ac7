using DataSpace.Usage.Rewards;
using static DataSpace.Usage.Tests.Rewards.Build;

namespace DataSpace.Usage.Tests.Rewards;

/// <summary>The optional scale-and-quality criteria fed by file profiles: rows and completeness.</summary>
public sealed class ProfileCriteriaTests
{
    [Fact]
    public void Policies_without_row_or_completeness_thresholds_keep_four_criteria()
    {
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 1_000) with { LatestVersionRows = 0 }], NothingPaid).Line(1);

        Assert.Equal(4, line.Criteria.Count);
        Assert.Null(line.LatestVersionRows);
        Assert.Null(line.Completeness);
        Assert.True(line.Qualified);
    }

    [Theory]
    [InlineData(999, 10_000, 9_000, false, RewardReasons.BelowMinRows, RewardReasons.Ok)]
    [InlineData(1_000, 10_000, 9_000, true, RewardReasons.Ok, RewardReasons.Ok)]
    [InlineData(1_000, 10_000, 9_001, false, RewardReasons.Ok, RewardReasons.BelowMinCompleteness)]
    [InlineData(0, 0, 1, false, RewardReasons.BelowMinRows, RewardReasons.BelowMinCompleteness)]
    public void Rows_and_completeness_are_evidence_with_reason_codes(long rows, long cells, int minCompleteness, bool qualified, string rowsReason, string completenessReason)
    {
        var policy = Policy() with { MinRows = 1_000, MinCompletenessBasisPoints = minCompleteness };
        // 1,000 null cells of 10,000: completeness 9000 basis points.
        var input = Dataset(1, 1_000) with { LatestVersionRows = rows, LatestVersionCells = cells, LatestVersionNullCells = cells / 10 };

        var line = RewardCalculator.Compute(policy, [input], NothingPaid).Line(1);

        Assert.Equal(qualified, line.Qualified);
        Assert.Equal((RewardCriteria.LatestVersionRows, rows, 1_000L, rowsReason), (line.LatestVersionRows!.Criterion, line.LatestVersionRows.Evidence, line.LatestVersionRows.Threshold, line.LatestVersionRows.ReasonCode));
        Assert.Equal((RewardCriteria.Completeness, cells == 0 ? 0L : 9_000L, completenessReason), (line.Completeness!.Criterion, line.Completeness.Evidence, line.Completeness.ReasonCode));
        Assert.Equal(6, line.Criteria.Count);
        Assert.Equal(qualified ? RewardReasons.Ok : RewardReasons.NotQualified, line.ReasonCode);
    }

    [Fact]
    public void Completeness_rounds_down()
    {
        // 2 of 3 cells: 6666.66… basis points → 6666.
        Assert.Equal(6_666, (Dataset(1, 0) with { LatestVersionCells = 3, LatestVersionNullCells = 1 }).CompletenessBasisPoints);
        Assert.Equal(10_000, (Dataset(1, 0) with { LatestVersionCells = 5, LatestVersionNullCells = 0 }).CompletenessBasisPoints);
    }

    [Fact]
    public void Out_of_range_thresholds_and_impossible_evidence_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RewardCalculator.Compute(Policy() with { MinCompletenessBasisPoints = 10_001 }, [], NothingPaid));
        Assert.Throws<ArgumentException>(() => RewardCalculator.Compute(Policy() with { MinRows = -1 }, [], NothingPaid));
        Assert.Throws<ArgumentException>(() => RewardCalculator.Compute(Policy(), [Dataset(1, 0) with { LatestVersionCells = 1, LatestVersionNullCells = 2 }], NothingPaid));
    }
}
