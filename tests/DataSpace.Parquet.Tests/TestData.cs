using System.Globalization;
using System.Text;

namespace DataSpace.Parquet.Tests;

/// <summary>Deterministic rows over every writer type; used by round-trip, oracle and fuzz tests.</summary>
internal static class TestData
{
    public static readonly ParquetType[] AllTypes = Enum.GetValues<ParquetType>();

    public static IReadOnlyList<ParquetColumn> Schema(bool nullable) =>
    [
        .. AllTypes.Select(t => new ParquetColumn(ColumnName(t), t, nullable, Precision: 12, Scale: 2)),
        new ParquetColumn("unique_text", ParquetType.String, nullable),
    ];

    public static string ColumnName(ParquetType t) => "c_" + t.ToString().ToLowerInvariant();

    public static object?[] Row(IReadOnlyList<ParquetColumn> schema, int row) =>
        [.. schema.Select((c, i) => Value(c, row, i))];

    public static object? Value(ParquetColumn c, int row, int column)
    {
        if (c.Nullable && (row + column) % 7 == 3)
        {
            return null;
        }

        if (c.Name == "unique_text")
        {
            return $"唯一的值-{row:D6}-{row * 7919 % 100_003}";
        }

        return c.Type switch
        {
            ParquetType.Boolean => row % 3 == 0,
            ParquetType.Int32 => (row % 50 * 7919) - 100_000,
            ParquetType.Int64 => (row * 1_000_000_007L) - 3_000_000_000L,
            ParquetType.Float => (row % 100 / 4f) - 10f,
            ParquetType.Double => (row * 0.1) - 50,
            ParquetType.String => row % 5 == 0 ? $"北京市_{row % 40}" : row % 11 == 0 ? "" : $"s{row % 60}",
            ParquetType.Binary => new byte[] { (byte)(row % 13), 0xFF, (byte)(row % 7) },
            ParquetType.Date => new DateOnly(2020, 1, 1).AddDays((row % 3000) - 1000),
            ParquetType.TimestampMillis => DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + (row * 1001L)),
            ParquetType.TimestampMicros => new DateTimeOffset(DateTimeOffset.UnixEpoch.Ticks + ((1_700_000_000_000_000L + (row * 1_000_003L)) * 10), TimeSpan.Zero),
            ParquetType.Decimal => (row - 2000) * 1.25m,
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
    }

    public static byte[] Write(IReadOnlyList<ParquetColumn> schema, int rows, ParquetWriterOptions options)
    {
        using var ms = new MemoryStream();
        using (var writer = new ParquetWriter(ms, schema, options, leaveOpen: true))
        {
            for (var r = 0; r < rows; r++)
            {
                writer.WriteRow(Row(schema, r));
            }
        }

        return ms.ToArray();
    }

    public static List<object?[]> ReadAll(byte[] file)
    {
        using var ms = new MemoryStream(file, writable: false);
        return [.. ParquetReader.ReadRows(ms)];
    }

    public static bool Same(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (float a, float b) => a.Equals(b),
        (double a, double b) => a.Equals(b),
        (DateTimeOffset a, DateTimeOffset b) => a.UtcTicks == b.UtcTicks,
        _ => Equals(expected, actual),
    };

    public static string Show(object? v) => v switch
    {
        null => "null",
        byte[] b => "0x" + Convert.ToHexString(b),
        IFormattable f => $"{f.ToString(null, CultureInfo.InvariantCulture)} ({v.GetType().Name})",
        _ => $"{v} ({v.GetType().Name})",
    };

    /// <summary>Canonical text of a value as tools/parquet-oracle.mjs prints it (floats and decimals compared numerically).</summary>
    public static string? Canon(object? v) => v switch
    {
        null => null,
        bool b => b ? "true" : "false",
        byte[] bytes => "hex:" + Convert.ToHexString(bytes).ToLowerInvariant(),
        DateOnly d => (d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber).ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => ((t.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    /// <summary>Compares one of our values with an oracle's canonical text; hyparquet turns decimals into doubles.</summary>
    public static bool MatchesOracle(object? expected, string? oracle, bool decimalAsDouble)
    {
        switch (expected)
        {
            case null:
                return oracle is null;
            case float f:
                return oracle is not null && (float)double.Parse(oracle, CultureInfo.InvariantCulture) == f;
            case double d:
                return oracle is not null && double.Parse(oracle, CultureInfo.InvariantCulture) == d;
            case decimal m when decimalAsDouble:
                return oracle is not null && Math.Abs(double.Parse(oracle, CultureInfo.InvariantCulture) - (double)m) <= Math.Abs((double)m) * 1e-12;
            case decimal m:
                return oracle is not null && decimal.Parse(oracle, NumberStyles.Float, CultureInfo.InvariantCulture) == m;
            default:
                return Canon(expected) == oracle;
        }
    }

    public static string Utf8(string s) => Convert.ToHexString(Encoding.UTF8.GetBytes(s));
}
