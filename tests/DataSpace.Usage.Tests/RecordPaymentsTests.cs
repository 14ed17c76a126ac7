using DataSpace.Usage.Records;
using static DataSpace.Usage.Records.RecordPayments;

namespace DataSpace.Usage.Tests;

public sealed class RecordPaymentsTests
{
    private static readonly Guid UnitA = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid UnitB = new("00000000-0000-0000-0000-00000000000b");
    private static readonly DcmmAmounts Amounts = new(5_000_000, 8_000_000, 10_000_000);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static DcmmCertificate Cert(Guid unit, int level, int minutes, int record = 0) =>
        new(new Guid(record + minutes, 0, 0, new byte[8]), 1, unit, level, T0.AddMinutes(minutes));

    [Fact]
    public void DCMM_pays_a_level_once_and_an_upgrade_only_the_difference()
    {
        var lines = DcmmRewards(Amounts, [Cert(UnitA, 3, 1), Cert(UnitA, 2, 2), Cert(UnitA, 4, 3), Cert(UnitA, 4, 4), Cert(UnitA, 5, 5), Cert(UnitA, 3, 6), Cert(UnitA, 5, 7)]);
        Assert.Equal([5_000_000L, 0, 3_000_000, 0, 2_000_000, 0, 0], lines.Select(l => l.RewardFen));
        Assert.Equal(["rewarded", "below_level_3", "upgrade_difference", "level_already_rewarded", "upgrade_difference", "level_already_rewarded", "level_already_rewarded"],
            lines.Select(l => l.ReasonCode));
        Assert.Equal([0, 3, 3, 4, 4, 5, 5], lines.Select(l => l.PreviouslyRewardedLevel));
        // Whatever the path, a unit never gets more than the top level's amount.
        Assert.Equal(Amounts.Level5Fen, lines.Sum(l => l.RewardFen));
    }

    [Fact]
    public void DCMM_going_straight_to_level_5_pays_level_5_and_units_are_independent()
    {
        var lines = DcmmRewards(Amounts, [Cert(UnitA, 5, 1), Cert(UnitB, 3, 2), Cert(UnitA, 4, 3), Cert(UnitB, 5, 4)]);
        Assert.Equal([10_000_000L, 5_000_000, 0, 5_000_000], lines.Select(l => l.RewardFen));
    }

    [Fact]
    public void DCMM_order_is_verification_time_whatever_the_input_order()
    {
        var certs = new[] { Cert(UnitA, 5, 3), Cert(UnitA, 3, 1), Cert(UnitA, 4, 2) };
        Assert.Equal([5_000_000L, 3_000_000, 2_000_000], DcmmRewards(Amounts, certs).Select(l => l.RewardFen));
        Assert.Equal(DcmmRewards(Amounts, certs), DcmmRewards(Amounts, certs.Reverse()));
    }

    [Fact]
    public void DCMM_with_equal_amounts_for_two_levels_pays_nothing_more_for_the_upgrade()
    {
        var lines = DcmmRewards(new DcmmAmounts(5_000_000, 5_000_000, 9_000_000), [Cert(UnitA, 3, 1), Cert(UnitA, 4, 2), Cert(UnitA, 5, 3)]);
        Assert.Equal([5_000_000L, 0, 4_000_000], lines.Select(l => l.RewardFen));
    }

    [Theory]
    // national: 10 % up to 1,000,000 CNY — the cap binds from a cost of 10,000,000 CNY.
    [InlineData("national", 999_999_999L, 99_999_999L, "subsidised")]
    [InlineData("national", 1_000_000_000L, 100_000_000L, "subsidised")]
    [InlineData("national", 1_000_000_009L, 100_000_000L, "subsidised")]
    [InlineData("national", 1_000_000_010L, 100_000_000L, "capped")]
    // provincial: 5 % up to 500,000 CNY — from 10,000,000 CNY.
    [InlineData("provincial", 999_999_999L, 49_999_999L, "subsidised")]
    [InlineData("provincial", 1_000_000_000L, 50_000_000L, "subsidised")]
    [InlineData("provincial", 1_000_000_020L, 50_000_000L, "capped")]
    // city: 3 % up to 300,000 CNY — from 10,000,000 CNY; rounding down to the fen.
    [InlineData("city", 33L, 0L, "subsidised")]
    [InlineData("city", 34L, 1L, "subsidised")]
    [InlineData("city", 999_999_999L, 29_999_999L, "subsidised")]
    [InlineData("city", 1_000_000_000L, 30_000_000L, "subsidised")]
    [InlineData("city", 1_000_000_034L, 30_000_000L, "capped")]
    [InlineData("city", long.MaxValue, 30_000_000L, "capped")]
    public void Pilot_subsidy_is_the_share_of_cost_rounded_down_and_capped(string level, long cost, long expected, string reason)
    {
        var line = Assert.Single(PilotSubsidies([new Pilot(Guid.NewGuid(), 1, UnitA, level, cost, T0)]));
        Assert.Equal(expected, line.SubsidyFen);
        Assert.Equal(reason, line.ReasonCode);
    }

    [Fact]
    public void Pilot_subsidy_is_one_per_unit_and_level()
    {
        var lines = PilotSubsidies([
            new Pilot(Guid.NewGuid(), 1, UnitA, "city", 1_000_000, T0.AddMinutes(1)),
            new Pilot(Guid.NewGuid(), 1, UnitA, "city", 9_000_000, T0.AddMinutes(2)),
            new Pilot(Guid.NewGuid(), 1, UnitA, "national", 1_000_000, T0.AddMinutes(3)),
            new Pilot(Guid.NewGuid(), 1, UnitB, "city", 1_000_000, T0.AddMinutes(4)),
        ]);
        Assert.Equal([30_000L, 0, 100_000, 30_000], lines.Select(l => l.SubsidyFen));
        Assert.Equal("already_subsidised_at_level", lines[1].ReasonCode);
    }

    [Fact]
    public void Fee_subsidy_is_capped_per_valuation_and_paid_once_per_valuation()
    {
        var valuation = Guid.NewGuid();
        var asset = Guid.NewGuid();
        var lines = FeeSubsidies(new FeeSubsidyPolicy(5000, 3_000_000), [
            new Valuation(asset, 1, valuation, UnitA, 8_000_000, T0),
            new Valuation(asset, 2, valuation, UnitA, 8_000_000, T0.AddDays(1)),
            new Valuation(asset, 3, Guid.NewGuid(), UnitA, 1_000_001, T0.AddDays(2)),
        ]);
        Assert.Equal([3_000_000L, 0, 500_000], lines.Select(l => l.SubsidyFen));
        Assert.Equal(["capped", "already_subsidised", "subsidised"], lines.Select(l => l.ReasonCode));
    }

    [Fact]
    public void A_policy_requiring_a_listing_certificate_pays_a_valuation_once_its_revision_was_verified_with_one()
    {
        var valuation = Guid.NewGuid();
        var asset = Guid.NewGuid();
        var lines = FeeSubsidies(new FeeSubsidyPolicy(5000, 3_000_000, RequireListingCertificate: true), [
            new Valuation(asset, 1, valuation, UnitA, 1_000_000, T0),
            new Valuation(asset, 2, valuation, UnitA, 1_000_000, T0.AddDays(1), "DSL-2026-000009"),
            new Valuation(asset, 3, valuation, UnitA, 1_000_000, T0.AddDays(2), "DSL-2026-000009"),
        ]);
        // Refused without a certificate, not counted as paid: the revision verified with one is paid, the next repeats it at 0.
        Assert.Equal([0L, 500_000, 0], lines.Select(l => l.SubsidyFen));
        Assert.Equal(["no_valid_listing_certificate", "subsidised", "already_subsidised"], lines.Select(l => l.ReasonCode));
    }

    [Fact]
    public void Shares_never_overflow_or_round_up()
    {
        Assert.Equal(long.MaxValue / 10, BasisPoints.Of(long.MaxValue, 1000));
        Assert.Equal(0, BasisPoints.Of(9, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => BasisPoints.Of(-1, 1000));
    }
}
