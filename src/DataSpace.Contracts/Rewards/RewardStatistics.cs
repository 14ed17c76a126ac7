namespace DataSpace.Contracts.Rewards;

/// <summary>
/// The data bureau's picture of the corpus-reward programme by month and industry: revenue only of the units whose consent
/// lets this bureau read their revenue now (each unit's read is recorded in its audit chain under that consent), and
/// what this bureau's approved runs awarded. Money in fen; industries as the datasets declare them now.
/// </summary>
/// <param name="From">First month (Asia/Shanghai), YYYY-MM-01.</param>
/// <param name="To">Last month included, YYYY-MM-01.</param>
/// <param name="TimeZone">The time zone the months are in: Asia/Shanghai.</param>
/// <param name="UnitsCounted">How many units' revenue is counted: those whose active consent to this bureau covers the revenue category.</param>
/// <param name="Revenue">Net revenue (payments less refunds) per month and industry, months ascending; a month and industry without payments or refunds has no entry.</param>
/// <param name="Rewards">What each approved run of this bureau whose period overlaps the months awarded, per industry, newest run first.</param>
/// <param name="TotalRevenueFen">The sum of <see cref="Revenue"/>, in fen.</param>
/// <param name="TotalRewardFen">The sum of <see cref="Rewards"/>, in fen.</param>
public sealed record RewardStatistics(
    DateOnly From, DateOnly To, string TimeZone, int UnitsCounted, IReadOnlyList<IndustryRevenue> Revenue, IReadOnlyList<IndustryReward> Rewards,
    long TotalRevenueFen, long TotalRewardFen);

/// <summary>One industry's net revenue in one month, over the units counted.</summary>
/// <param name="Month">The month (Asia/Shanghai), YYYY-MM-01.</param>
/// <param name="Industry">The datasets' declared industry, e.g. 灯饰照明.</param>
/// <param name="RevenueFen">Payments less refunds assigned to that month, in fen.</param>
/// <param name="Units">How many of the counted units had revenue there.</param>
public sealed record IndustryRevenue(DateOnly Month, string Industry, long RevenueFen, int Units);

/// <summary>One industry's share of one approved reward run.</summary>
/// <param name="RunId">The approved run.</param>
/// <param name="PeriodFrom">First day of the run's period.</param>
/// <param name="PeriodTo">Last day of the run's period, inclusive.</param>
/// <param name="Industry">The rewarded datasets' declared industry.</param>
/// <param name="RewardFen">The sum of the run's rewards to that industry's datasets, in fen.</param>
/// <param name="Datasets">How many of the run's lines are that industry's.</param>
public sealed record IndustryReward(string RunId, DateOnly PeriodFrom, DateOnly PeriodTo, string Industry, long RewardFen, int Datasets);
