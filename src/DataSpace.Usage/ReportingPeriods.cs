namespace DataSpace.Usage;

/// <summary>The city reports by Asia/Shanghai days and months: the one place that turns an instant into them.</summary>
public static class ReportingPeriods
{
    public const string TimeZoneId = "Asia/Shanghai";

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    /// <summary>The Asia/Shanghai date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);

    /// <summary>The first day of the Asia/Shanghai month of an instant.</summary>
    public static DateOnly MonthOf(DateTimeOffset at)
    {
        var date = DateOf(at);
        return new DateOnly(date.Year, date.Month, 1);
    }

    /// <summary>The instant (UTC) an Asia/Shanghai date begins.</summary>
    public static DateTimeOffset StartOf(DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), Zone), TimeSpan.Zero);
}
