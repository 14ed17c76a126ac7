using System.Globalization;

namespace DataSpace.Bench;

/// <summary>Medians and maxima of figures as the phases print them, returned as written (no reformatting).</summary>
internal static class Numbers
{
    /// <summary>The middle value; of an even count the lower of the two middle ones, so that it is a measured run.</summary>
    public static string Median(IReadOnlyList<string> values)
    {
        var sorted = Sorted(values);
        return sorted[(sorted.Count - 1) / 2].Text;
    }

    public static string Max(IReadOnlyList<string> values) => Sorted(values)[^1].Text;

    /// <summary>A number as a figure holds it, or null when the text is not a plain decimal number.</summary>
    public static double? Parse(string? text) =>
        text is not null && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static List<(double Value, string Text)> Sorted(IReadOnlyList<string> values)
    {
        var numbers = values.Select(text => (Value: Parse(text) ?? throw new FormatException($"'{text}' is not a number"), Text: text)).ToList();
        if (numbers.Count == 0)
        {
            throw new ArgumentException("no values");
        }

        return [.. numbers.OrderBy(n => n.Value)];
    }
}
