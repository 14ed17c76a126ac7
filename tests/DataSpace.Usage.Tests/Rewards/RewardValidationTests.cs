using DataSpace.Usage.Rewards;
using static DataSpace.Usage.Tests.Rewards.Build;

namespace DataSpace.Usage.Tests.Rewards;

public sealed class RewardValidationTests
{
    public static TheoryData<string, RewardPolicy> BadPolicies => new()
    {
        { nameof(RewardPolicy.RateBasisPoints), Policy() with { RateBasisPoints = -1 } },
        { nameof(RewardPolicy.RateBasisPoints), Policy() with { RateBasisPoints = 10_001 } },
        { nameof(RewardPolicy.DatasetCapFen), Policy() with { DatasetCapFen = -1 } },
        { nameof(RewardPolicy.UnitCapFen), Policy() with { UnitCapFen = -1 } },
        { nameof(RewardPolicy.CapScope), Policy() with { CapScope = (CapScope)7 } },
        { nameof(RewardPolicy.MinFiles), Policy() with { MinFiles = -1 } },
        { nameof(RewardPolicy.MinBytes), Policy() with { MinBytes = -1 } },
        { nameof(RewardPolicy.MinVersionsInPeriod), Policy() with { MinVersionsInPeriod = -1 } },
        { nameof(RewardPolicy.MinPayingConsumers), Policy() with { MinPayingConsumers = -1 } },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void An_out_of_range_policy_is_rejected_naming_the_field(string field, RewardPolicy policy)
    {
        var ex = Assert.Throws<ArgumentException>(() => RewardCalculator.Compute(policy, [Dataset(1, 1_000)], NothingPaid));

        Assert.Equal("policy", ex.ParamName);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    public void Rates_at_the_ends_of_the_range_are_accepted(int rate)
    {
        var policy = Policy() with { RateBasisPoints = rate, DatasetCapFen = 0, UnitCapFen = 0 };

        var result = RewardCalculator.Compute(policy, [Dataset(1, 1_000)], NothingPaid);

        Assert.Equal(rate == 0 ? 0 : 1_000, result.Line(1).RewardBeforeCapsFen);
        Assert.Equal(0, result.TotalFen);
    }

    [Fact]
    public void The_city_defaults_are_ten_percent_and_the_two_caps()
    {
        var policy = Policy();

        Assert.Equal(1_000, policy.RateBasisPoints);
        Assert.Equal(10_000_000, policy.DatasetCapFen);
        Assert.Equal(20_000_000, policy.UnitCapFen);
    }

    [Fact]
    public void A_dataset_listed_twice_is_rejected_even_under_another_unit()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            RewardCalculator.Compute(Policy(), [Dataset(1, 1_000, UnitA), Dataset(1, 2_000, UnitB)], NothingPaid));

        Assert.Equal("datasets", ex.ParamName);
        Assert.Contains(Id(1).ToString(), ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, DatasetInput> BadDatasets => new()
    {
        { nameof(DatasetInput.CommittedFiles), Dataset(1, 1_000) with { CommittedFiles = -1 } },
        { nameof(DatasetInput.LatestVersionBytes), Dataset(1, 1_000) with { LatestVersionBytes = -1 } },
        { nameof(DatasetInput.VersionsInPeriod), Dataset(1, 1_000) with { VersionsInPeriod = -1 } },
        { nameof(DatasetInput.PayingConsumers), Dataset(1, 1_000) with { PayingConsumers = -1 } },
        { nameof(DatasetInput.PreviouslyPaidFen), Dataset(1, 1_000) with { PreviouslyPaidFen = -1 } },
    };

    [Theory]
    [MemberData(nameof(BadDatasets))]
    public void A_negative_count_or_earlier_payment_is_rejected(string field, DatasetInput input)
    {
        var ex = Assert.Throws<ArgumentException>(() => RewardCalculator.Compute(Policy(), [input], NothingPaid));

        Assert.Equal("datasets", ex.ParamName);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_earlier_unit_payment_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            RewardCalculator.Compute(Policy(), [Dataset(1, 1_000)], new Dictionary<Guid, long> { [UnitA] = -1 }));

        Assert.Equal("previouslyPaidByUnit", ex.ParamName);
    }
}
