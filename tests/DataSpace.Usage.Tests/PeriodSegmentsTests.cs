namespace DataSpace.Usage.Tests;

/// <summary>A period's years, months and days cover each of its days exactly once, and nothing outside it.</summary>
public sealed class PeriodSegmentsTests
{
    [Fact]
    public void A_calendar_year_is_one_segment()
    {
        var s = PeriodSegments.Of(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));

        Assert.Equal([new DateOnly(2026, 1, 1)], s.Years);
        Assert.Empty(s.Months);
        Assert.Empty(s.Days);
    }

    [Fact]
    public void A_period_across_years_takes_the_leftover_days_then_months_then_the_whole_year()
    {
        var s = PeriodSegments.Of(new DateOnly(2025, 11, 29), new DateOnly(2027, 2, 3));

        Assert.Equal([new DateOnly(2026, 1, 1)], s.Years);
        Assert.Equal([new DateOnly(2025, 12, 1), new DateOnly(2027, 1, 1)], s.Months);
        Assert.Equal([new DateOnly(2025, 11, 29), new DateOnly(2025, 11, 30), new DateOnly(2027, 2, 1), new DateOnly(2027, 2, 2), new DateOnly(2027, 2, 3)], s.Days);
    }

    [Fact]
    public void An_empty_period_has_no_segments()
    {
        var s = PeriodSegments.Of(new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 1));

        Assert.Empty(s.Years);
        Assert.Empty(s.Months);
        Assert.Empty(s.Days);
    }

    [Fact]
    public void Random_periods_are_covered_exactly_once()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 2_000; i++)
        {
            var from = new DateOnly(2020, 1, 1).AddDays(random.Next(0, 3000));
            var to = from.AddDays(random.Next(0, 1200));
            var s = PeriodSegments.Of(from, to);

            var covered = s.Years.SelectMany(y => Days(y, y.AddYears(1)))
                .Concat(s.Months.SelectMany(m => Days(m, m.AddMonths(1))))
                .Concat(s.Days)
                .Order()
                .ToList();
            Assert.Equal(Days(from, to.AddDays(1)), covered);
            Assert.All(s.Years, y => Assert.True(y is { Month: 1, Day: 1 }));
            Assert.All(s.Months, m => Assert.Equal(1, m.Day));
        }
    }

    private static List<DateOnly> Days(DateOnly from, DateOnly toExclusive)
    {
        List<DateOnly> days = [];
        for (var d = from; d < toExclusive; d = d.AddDays(1))
        {
            days.Add(d);
        }

        return days;
    }
}
