using DataSpace.Usage.Rewards;
using static DataSpace.Usage.Tests.Rewards.Build;

namespace DataSpace.Usage.Tests.Rewards;

/// <summary>The optional qualification criterion of issue 17: a listing certificate in force, named on the line.</summary>
public sealed class ListingCertificateCriterionTests
{
    [Fact]
    public void Off_by_default_no_criterion_and_a_certificate_changes_nothing()
    {
        var line = RewardCalculator.Compute(Policy(), [Dataset(1, 1_000) with { ListingCertificate = "DSL-2026-000001" }], NothingPaid).Line(1);

        Assert.Null(line.ListingCertificate);
        Assert.Equal(4, line.Criteria.Count);
        Assert.True(line.Qualified);
    }

    [Fact]
    public void Required_a_certified_dataset_qualifies_and_names_its_certificate_last_in_the_criteria()
    {
        var policy = Policy() with { RequireListingCertificate = true, MinRows = 0 };
        var line = RewardCalculator.Compute(policy, [Dataset(1, 1_000) with { ListingCertificate = "DSL-2026-000007" }], NothingPaid).Line(1);

        Assert.Equal(new CriterionResult(RewardCriteria.ListingCertificate, 1, 1, true, RewardReasons.Ok, "DSL-2026-000007"), line.ListingCertificate);
        Assert.Same(line.ListingCertificate, line.Criteria[^1]);
        Assert.Equal(6, line.Criteria.Count);
        Assert.True(line.Qualified);
        Assert.Equal(100, line.RewardFen);
    }

    [Fact]
    public void Required_a_dataset_without_one_is_not_qualified_and_earns_nothing()
    {
        var policy = Policy() with { RequireListingCertificate = true };
        var line = RewardCalculator.Compute(policy, [Dataset(1, 1_000)], NothingPaid).Line(1);

        Assert.Equal(new CriterionResult(RewardCriteria.ListingCertificate, 0, 1, false, RewardReasons.NoValidListingCertificate), line.ListingCertificate);
        Assert.False(line.Qualified);
        Assert.Equal((0L, RewardReasons.NotQualified), (line.RewardFen, line.ReasonCode));
    }
}
