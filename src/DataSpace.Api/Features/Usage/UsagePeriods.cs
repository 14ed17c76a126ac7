using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Usage.Metering;

namespace DataSpace.Api.Features.Usage;

/// <summary>The period of a usage report as clients ask for it (from, to, granularity), for every report of usage.</summary>
[FeatureService]
internal static class UsagePeriods
{
    private const int MaxDays = 366;

    public readonly record struct Period(DateOnly From, DateOnly To, string Granularity);

    /// <summary>from/to are dates (YYYY-MM-DD, inclusive, Asia/Shanghai); the default is the last 30 days including today.</summary>
    public static Period Read(string? from, string? to, string? granularity, TimeProvider clock, Validation v)
    {
        var today = UsageReports.Today(clock);
        var end = Dates.ReadDate(to, "to", v) ?? today;
        var start = Dates.ReadDate(from, "from", v) ?? end.AddDays(-29);
        var unit = granularity ?? "day";
        if (unit is not ("day" or "month"))
        {
            v.Add("granularity", "must be day or month");
        }

        if (end < start)
        {
            v.Add("to", "must not be before from");
        }
        else if (end.DayNumber - start.DayNumber >= MaxDays * (unit == "month" ? 10 : 1))
        {
            v.Add("from", unit == "month" ? "the period may span at most 10 years" : $"the period may span at most {MaxDays} days; use granularity=month for longer");
        }

        return new Period(start, end, unit);
    }
}
