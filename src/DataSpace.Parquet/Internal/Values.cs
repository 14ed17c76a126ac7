using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace DataSpace.Parquet.Internal;

/// <summary>Stored values to CLR values, by column kind.</summary>
internal static class Values
{
    public const long UnixEpochTicks = 621_355_968_000_000_000;
    public static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static object FromInt32(ColumnDescriptor c, int v) => c.Kind switch
    {
        ValueKind.Date => ToDate(v),
        ValueKind.DecimalInt32 => ToDecimal(v < 0, (ulong)Math.Abs((long)v), c.Scale),
        ValueKind.TimeMillis => v is >= 0 and < 86_400_000 ? new TimeOnly(v * TimeSpan.TicksPerMillisecond) : throw OutOfRange(c, "TIME"),
        ValueKind.UInt32 => (long)(uint)v,
        _ => v,
    };

    public static object FromInt64(ColumnDescriptor c, long v) => c.Kind switch
    {
        ValueKind.TimestampMillis => ToTimestamp(c, v, TimeSpan.TicksPerMillisecond),
        ValueKind.TimestampMicros => ToTimestamp(c, v, TimeSpan.TicksPerMicrosecond),
        ValueKind.TimestampNanos => ToTimestamp(c, v / 100, 1),
        ValueKind.DecimalInt64 => ToDecimal(v < 0, v < 0 ? (ulong)-(v + 1) + 1 : (ulong)v, c.Scale),
        ValueKind.TimeMicros => v is >= 0 and < 86_400_000_000 ? new TimeOnly(v * TimeSpan.TicksPerMicrosecond) : throw OutOfRange(c, "TIME"),
        ValueKind.UInt64 => (ulong)v,
        _ => v,
    };

    public static object FromBytes(ColumnDescriptor c, ReadOnlySpan<byte> v)
    {
        switch (c.Kind)
        {
            case ValueKind.String:
                try
                {
                    return StrictUtf8.GetString(v);
                }
                catch (DecoderFallbackException e)
                {
                    throw new ParquetFormatException($"Column {c.Node.Path}: string is not valid UTF-8.", e);
                }

            case ValueKind.DecimalBytes:
                if (v.Length == 0)
                {
                    return 0m;
                }

                var big = new BigInteger(v, isUnsigned: false, isBigEndian: true);
                var magnitude = BigInteger.Abs(big);
                if (magnitude.GetBitLength() > 96)
                {
                    throw new ParquetNotSupportedException($"decimal wider than 96 bits in column {c.Node.Path}");
                }

                Span<byte> le = stackalloc byte[16];
                le.Clear();
                magnitude.TryWriteBytes(le, out _, isUnsigned: true, isBigEndian: false);
                return ToDecimal(big.Sign < 0, BinaryPrimitives.ReadUInt32LittleEndian(le), BinaryPrimitives.ReadUInt32LittleEndian(le[4..]), BinaryPrimitives.ReadUInt32LittleEndian(le[8..]), c.Scale);
            default:
                return v.ToArray();
        }
    }

    public static DateTimeOffset FromInt96(ReadOnlySpan<byte> v)
    {
        var nanos = BinaryPrimitives.ReadInt64LittleEndian(v);
        var julian = BinaryPrimitives.ReadInt32LittleEndian(v[8..]);
        var days = julian - 2_440_588L;
        var ticks = UnixEpochTicks + (days * TimeSpan.TicksPerDay) + (nanos / 100);
        if (nanos < 0 || nanos >= 86_400_000_000_000 || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ParquetFormatException("INT96 timestamp out of range.");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static DateOnly ToDate(int days)
    {
        var n = UnixEpochDay + (long)days;
        return n is < 0 or > 3_652_058 ? throw new ParquetNotSupportedException($"date {days} days from 1970 is outside DateOnly") : DateOnly.FromDayNumber((int)n);
    }

    private static DateTimeOffset ToTimestamp(ColumnDescriptor c, long v, long ticksPerUnit)
    {
        var max = (DateTimeOffset.MaxValue.UtcTicks - UnixEpochTicks) / ticksPerUnit;
        var min = (DateTimeOffset.MinValue.UtcTicks - UnixEpochTicks) / ticksPerUnit;
        return v < min || v > max ? throw OutOfRange(c, "timestamp") : new DateTimeOffset(UnixEpochTicks + (v * ticksPerUnit), TimeSpan.Zero);
    }

    private static ParquetNotSupportedException OutOfRange(ColumnDescriptor c, string what) =>
        new($"{what} value outside the .NET range in column {c.Node.Path}");

    private static decimal ToDecimal(bool negative, ulong magnitude, int scale) =>
        ToDecimal(negative, (uint)magnitude, (uint)(magnitude >> 32), 0, scale);

    private static decimal ToDecimal(bool negative, uint lo, uint mid, uint hi, int scale)
    {
        if (scale is < 0 or > 28)
        {
            throw new ParquetNotSupportedException($"decimal scale {scale}");
        }

        return new decimal((int)lo, (int)mid, (int)hi, negative, (byte)scale);
    }
}
