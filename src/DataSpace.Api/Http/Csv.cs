using System.Globalization;

namespace DataSpace.Api.Http;

/// <summary>CSV cells as Excel and WPS read them safely.</summary>
internal static class Csv
{
    /// <summary>RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a formula (=, +, -, @).</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '@' or '\t' or '\r' || (value.StartsWith('-') && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _)))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
