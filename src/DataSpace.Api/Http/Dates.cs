using System.Globalization;
using DataSpace.Api.Problems;
using DataSpace.Usage;

namespace DataSpace.Api.Http;

/// <summary>
/// The one reading of dates, months and periods that clients send (query strings and JSON bodies): every accepted date
/// lies in [<see cref="Earliest"/>, <see cref="Latest"/>], so the arithmetic that follows (a default period, a month
/// span, a validity of years, the day after a period) can never leave the calendar, and a date outside is a 400 naming
/// its field, never a 500.
/// </summary>
internal static class Dates
{
    public static readonly DateOnly Earliest = new(1000, 1, 1);
    public static readonly DateOnly Latest = new(2999, 12, 31);

    private static readonly string Range = $"between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}";

    public static bool InRange(DateOnly date) => date >= Earliest && date <= Latest;

    /// <summary>Today in Asia/Shanghai, for expiry flags.</summary>
    public static DateOnly Today(TimeProvider clock) => ReportingPeriods.DateOf(clock.GetUtcNow());

    /// <summary>A query date YYYY-MM-DD, or null when absent; a malformed or out-of-range one is a validation error on <paramref name="field"/>.</summary>
    /// <summary>Reads an RFC 3339 instant that carries its offset (Z or ±hh:mm), as UTC; adds an error naming <paramref name="field"/> otherwise.</summary>
    public static DateTimeOffset? ReadInstant(string? value, string field, Validation v)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var s)
            && (value.EndsWith('Z') || value.Contains('+', StringComparison.Ordinal) || value.LastIndexOf('-') > 9))
        {
            return s.ToUniversalTime(); // Npgsql writes timestamptz from UTC values only
        }

        v.Add(field, "must be an RFC 3339 timestamp with offset, e.g. 2026-11-01T00:00:00+08:00");
        return null;
    }

    public static DateOnly? ReadDate(string? value, string field, Validation v)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && InRange(date))
        {
            return date;
        }

        v.Add(field, $"must be a date YYYY-MM-DD {Range}");
        return null;
    }

    /// <summary>A query month YYYY-MM (its first day), or null when absent; a malformed or out-of-range one is a validation error.</summary>
    public static DateOnly? ReadMonth(string? value, string field, Validation v)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 7 && DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && InRange(month))
        {
            return month;
        }

        v.Add(field, $"must be a month YYYY-MM {Range}");
        return null;
    }

    /// <summary>
    /// A span of query months <c>from</c>..<c>to</c> (YYYY-MM, both inclusive): by default the twelve Asia/Shanghai months up
    /// to this one, at most <paramref name="maxMonths"/> long. Errors name from and to; the span is meaningless unless
    /// <paramref name="v"/> is still valid.
    /// </summary>
    public static (DateOnly First, DateOnly Last) ReadMonthSpan(string? from, string? to, TimeProvider clock, Validation v, int maxMonths = 120)
    {
        var last = ReadMonth(to, "to", v) ?? ReportingPeriods.MonthOf(clock.GetUtcNow());
        var first = ReadMonth(from, "from", v) ?? last.AddMonths(-11);
        if (last < first)
        {
            v.Add("to", "must not be before from");
        }
        else if (last > first.AddMonths(maxMonths - 1))
        {
            v.Add("from", $"the period may span at most {maxMonths} months");
        }

        return (first, last);
    }

    /// <summary>Checks a date that arrived in a JSON body: null passes (the caller decides whether it is required).</summary>
    public static bool Check(DateOnly? value, string field, Validation v)
    {
        if (value is not { } date || InRange(date))
        {
            return true;
        }

        v.Add(field, $"must be a date {Range}");
        return false;
    }

    /// <summary>Checks an instant that arrived in a JSON body by the same bounds (its UTC date).</summary>
    public static bool Check(DateTimeOffset? value, string field, Validation v) =>
        value is not { } instant || Check(DateOnly.FromDateTime(instant.UtcDateTime), field, v);
}
