namespace DataSpace.Api.Http;

internal static class Yuan
{
    /// <summary>Fen as yuan with exactly two decimals, computed with integers (no floating point): 1234567 → "12345.67", -5 → "-0.05".</summary>
    public static string Format(long fen)
    {
        var sign = fen < 0 ? "-" : "";
        var abs = Math.Abs((decimal)fen);
        var yuan = decimal.Truncate(abs / 100);
        var cents = abs - (yuan * 100);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sign}{yuan}.{cents:00}");
    }
}
