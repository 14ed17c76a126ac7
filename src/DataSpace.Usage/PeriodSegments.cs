namespace DataSpace.Usage;

/// <summary>
/// A period of whole Asia/Shanghai days as the disjoint union of whole calendar years, whole months and the days left
/// over — the grains the database keeps running totals at (the reward_rollups migration). Summing a total's rows for these segments
/// is exactly summing its entries over the period; a yearly period is one row per dataset.
/// </summary>
public sealed record PeriodSegments(DateOnly[] Years, DateOnly[] Months, DateOnly[] Days)
{
    /// <summary>The segments of <paramref name="from"/> … <paramref name="to"/>, both inclusive; empty when <paramref name="to"/> is before <paramref name="from"/>.</summary>
    public static PeriodSegments Of(DateOnly from, DateOnly to)
    {
        List<DateOnly> years = [], months = [], days = [];
        for (var day = from; day <= to;)
        {
            if (day is { Month: 1, Day: 1 } && day.Year < DateOnly.MaxValue.Year && day.AddYears(1).AddDays(-1) <= to)
            {
                years.Add(day);
                day = day.AddYears(1);
            }
            else if (day.Day == 1 && day < LastMonth && day.AddMonths(1).AddDays(-1) <= to)
            {
                months.Add(day);
                day = day.AddMonths(1);
            }
            else
            {
                days.Add(day);
                if (day == DateOnly.MaxValue)
                {
                    break;
                }

                day = day.AddDays(1);
            }
        }

        return new PeriodSegments([.. years], [.. months], [.. days]);
    }

    private static readonly DateOnly LastMonth = new(9999, 12, 1);
}
