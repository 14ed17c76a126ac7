using System.Globalization;
using System.Text;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// Type inference and statistics for one column, fed one value at a time in constant memory. Every value narrows the set
/// of types the column can still have; the first type left in the order boolean, integer, decimal, number, date,
/// timestamp wins, else string. Integers and decimals refuse leading zeros ("007" is an identifier, not a number).
/// </summary>
internal sealed class ColumnStats(string name)
{
    [Flags]
    private enum Kinds
    {
        None = 0,
        Boolean = 1,
        Integer = 2,
        Decimal = 4,
        Number = 8,
        Date = 16,
        Timestamp = 32,
        Numeric = Integer | Decimal | Number,
        Temporal = Date | Timestamp,
        All = Boolean | Numeric | Temporal,
    }

    private Kinds _candidates = Kinds.All;
    private bool _allJson = true;
    private long _minInt = long.MaxValue, _maxInt = long.MinValue;
    private decimal _minDec = decimal.MaxValue, _maxDec = decimal.MinValue;
    private double _minNum = double.PositiveInfinity, _maxNum = double.NegativeInfinity;
    private int _minDate = int.MaxValue, _maxDate = int.MinValue;
    private long _minTs = long.MaxValue, _maxTs = long.MinValue;
    private bool _allTsOffset = true;
    private long _minLen = long.MaxValue, _maxLen = long.MinValue;
    private int _intDigits, _scale;

    /// <summary>Longest column name kept (in UTF-8 bytes); longer header fields are cut at a character boundary.</summary>
    public const int MaxNameBytes = 1024;

    public string Name { get; } = name;

    /// <summary>A column name from header bytes, at most <see cref="MaxNameBytes"/> of them.</summary>
    public static string NameFrom(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxNameBytes)
        {
            var cut = MaxNameBytes;
            while (cut > 0 && (utf8[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            utf8 = utf8[..cut];
        }

        return Encoding.UTF8.GetString(utf8);
    }

    public long NonNull { get; private set; }

    /// <summary>A text value (csv field, or any value whose type the text decides). Empty means null and is not passed here.</summary>
    /// <param name="totalBytes">The whole value's length when <paramref name="utf8"/> holds only its first bytes (a capped field).</param>
    public void AddText(ReadOnlySpan<byte> utf8, long totalBytes) => Add(utf8, totalBytes, Kinds.All);

    /// <summary>A JSON string: it can be a date, a timestamp or a string, never a number or boolean.</summary>
    public void AddJsonString(ReadOnlySpan<byte> utf8, long totalBytes) => Add(utf8, totalBytes, Kinds.Temporal);

    /// <summary>A JSON number, as its literal text.</summary>
    public void AddJsonNumber(ReadOnlySpan<byte> utf8) => Add(utf8, utf8.Length, Kinds.Numeric);

    public void AddJsonBoolean(bool value) => Add(value ? "true"u8 : "false"u8, value ? 4 : 5, Kinds.Boolean);

    /// <summary>A JSON object or array.</summary>
    public void AddJsonNested()
    {
        NonNull++;
        _candidates = Kinds.None;
    }

    private void Add(ReadOnlySpan<byte> raw, long totalBytes, Kinds allowed)
    {
        NonNull++;
        _allJson = false;
        var length = Encoding.UTF8.GetCharCount(raw) + Math.Max(0, totalBytes - raw.Length);
        _minLen = Math.Min(_minLen, length);
        _maxLen = Math.Max(_maxLen, length);

        _candidates &= allowed;
        if (_candidates == Kinds.None || totalBytes > raw.Length)
        {
            _candidates = Kinds.None;
            return;
        }

        var v = raw.Trim((byte)' ');
        if ((_candidates & Kinds.Boolean) != 0 && !(Ascii.EqualsIgnoreCase(v, "true"u8) || Ascii.EqualsIgnoreCase(v, "false"u8)))
        {
            _candidates &= ~Kinds.Boolean;
        }

        if ((_candidates & Kinds.Numeric) != 0)
        {
            AddNumeric(v);
        }

        if ((_candidates & Kinds.Temporal) != 0)
        {
            AddTemporal(v);
        }
    }

    private void AddNumeric(ReadOnlySpan<byte> v)
    {
        var syntax = NumberSyntax(v, out var intDigits, out var scale);
        // Up to 18 digits the value is parsed once, here, into an exact integer mantissa: the same long, decimal (sign and
        // scale included) and double that long/decimal/double.TryParse give, at a fraction of the cost (three parses per
        // field were most of the profiler's time). Anything longer, or with an exponent, takes the BCL parsers.
        var fast = syntax is Syntax.Integer or Syntax.Decimal && intDigits + scale <= 18;
        var negative = v.Length > 0 && v[0] == '-';
        var mantissa = fast ? Mantissa(v) : 0;

        if ((_candidates & Kinds.Integer) != 0)
        {
            var l = negative ? -(long)mantissa : (long)mantissa;
            if (syntax == Syntax.Integer && (fast || long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)))
            {
                _minInt = Math.Min(_minInt, l);
                _maxInt = Math.Max(_maxInt, l);
            }
            else
            {
                _candidates &= ~Kinds.Integer;
            }
        }

        if ((_candidates & Kinds.Decimal) != 0)
        {
            decimal d = default;
            if (syntax is Syntax.Integer or Syntax.Decimal && intDigits + scale <= 38
                && (fast ? MakeDecimal(mantissa, negative, scale, out d)
                    : decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d)))
            {
                _minDec = Math.Min(_minDec, d);
                _maxDec = Math.Max(_maxDec, d);
                _intDigits = Math.Max(_intDigits, intDigits);
                _scale = Math.Max(_scale, scale);
            }
            else
            {
                _candidates &= ~Kinds.Decimal;
            }
        }

        if ((_candidates & Kinds.Number) != 0)
        {
            double x = 0;
            if (syntax != Syntax.None
                && ((fast && ExactDouble(mantissa, negative, scale, out x)) || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out x))
                && double.IsFinite(x))
            {
                _minNum = Math.Min(_minNum, x);
                _maxNum = Math.Max(_maxNum, x);
            }
            else
            {
                _candidates &= ~Kinds.Number;
            }
        }
    }

    /// <summary>The digits of [+-]digits[.digits] as one unsigned integer (at most 18 digits: it cannot overflow).</summary>
    private static ulong Mantissa(ReadOnlySpan<byte> v)
    {
        ulong m = 0;
        foreach (var b in v)
        {
            if (b - (uint)'0' <= 9)
            {
                m = (m * 10) + (b - (uint)'0');
            }
        }

        return m;
    }

    /// <summary>Bit for bit what decimal.TryParse gives: sign kept even for zero (it prints as 0), trailing zeros kept as scale.</summary>
    private static bool MakeDecimal(ulong mantissa, bool negative, int scale, out decimal value)
    {
        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)scale);
        return true;
    }

    private static readonly double[] ExactPowersOf10 =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both exact doubles, so one IEEE
    /// division rounds exactly as double.Parse does. False when it does not apply (the caller parses instead).
    /// </summary>
    private static bool ExactDouble(ulong mantissa, bool negative, int scale, out double value)
    {
        value = 0;
        if (mantissa >= 1UL << 53 || scale >= ExactPowersOf10.Length)
        {
            return false;
        }

        value = mantissa / ExactPowersOf10[scale];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private enum Syntax { None, Integer, Decimal, Exponent }

    /// <summary>[+-]digits[.digits][(e|E)[+-]digits], no leading zeros in the integer part (except a lone 0).</summary>
    private static Syntax NumberSyntax(ReadOnlySpan<byte> v, out int intDigits, out int scale)
    {
        intDigits = 0;
        scale = 0;
        var i = 0;
        if (i < v.Length && v[i] is (byte)'-' or (byte)'+')
        {
            i++;
        }

        var start = i;
        while (i < v.Length && char.IsAsciiDigit((char)v[i]))
        {
            i++;
        }

        intDigits = i - start;
        if (intDigits == 0 || (intDigits > 1 && v[start] == '0'))
        {
            return Syntax.None;
        }

        var result = Syntax.Integer;
        if (i < v.Length && v[i] == '.')
        {
            i++;
            var fraction = i;
            while (i < v.Length && char.IsAsciiDigit((char)v[i]))
            {
                i++;
            }

            scale = i - fraction;
            if (scale == 0)
            {
                return Syntax.None;
            }

            result = Syntax.Decimal;
        }

        if (i < v.Length && v[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < v.Length && v[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            var exponent = i;
            while (i < v.Length && char.IsAsciiDigit((char)v[i]))
            {
                i++;
            }

            if (i == exponent)
            {
                return Syntax.None;
            }

            result = Syntax.Exponent;
        }

        return i == v.Length ? result : Syntax.None;
    }

    private void AddTemporal(ReadOnlySpan<byte> v)
    {
        var isDate = TryDate(v, out var date);
        if (!isDate)
        {
            _candidates &= ~Kinds.Date;
        }
        else if ((_candidates & Kinds.Date) != 0)
        {
            _minDate = Math.Min(_minDate, date.DayNumber);
            _maxDate = Math.Max(_maxDate, date.DayNumber);
        }

        if ((_candidates & Kinds.Timestamp) != 0)
        {
            // A bare date is a timestamp at midnight without offset (as TryTimestamp reads it): no need to parse it twice.
            var ticks = date.DayNumber * TimeSpan.TicksPerDay;
            var hasOffset = false;
            if (isDate || TryTimestamp(v, out ticks, out hasOffset))
            {
                _minTs = Math.Min(_minTs, ticks);
                _maxTs = Math.Max(_maxTs, ticks);
                _allTsOffset &= hasOffset;
            }
            else
            {
                _candidates &= ~Kinds.Timestamp;
            }
        }
    }

    /// <summary>yyyy-MM-dd or yyyy/MM/dd.</summary>
    internal static bool TryDate(ReadOnlySpan<byte> v, out DateOnly date)
    {
        date = default;
        if (v.Length != 10 || v[4] != v[7] || v[4] is not ((byte)'-' or (byte)'/'))
        {
            return false;
        }

        if (!Digits(v[..4], out var y) || !Digits(v.Slice(5, 2), out var m) || !Digits(v.Slice(8, 2), out var d)
            || y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return false;
        }

        date = new DateOnly(y, m, d);
        return true;
    }

    /// <summary>A date, or a date, 'T' or a space, HH:mm[:ss[.fraction]] and an optional Z or ±HH:mm / ±HHmm offset. Ticks are UTC when an offset is given.</summary>
    internal static bool TryTimestamp(ReadOnlySpan<byte> v, out long ticks, out bool hasOffset)
    {
        ticks = 0;
        hasOffset = false;
        if (v.Length < 10 || !TryDate(v[..10], out var date))
        {
            return false;
        }

        ticks = date.DayNumber * TimeSpan.TicksPerDay;
        if (v.Length == 10)
        {
            return true;
        }

        if (v.Length < 16 || v[10] is not ((byte)'T' or (byte)' ') || v[13] != ':'
            || !Digits(v.Slice(11, 2), out var h) || !Digits(v.Slice(14, 2), out var min) || h > 23 || min > 59)
        {
            return false;
        }

        var i = 16;
        var s = 0;
        long fraction = 0;
        if (i < v.Length && v[i] == ':')
        {
            if (v.Length < 19 || !Digits(v.Slice(17, 2), out s) || s > 59)
            {
                return false;
            }

            i = 19;
            if (i < v.Length && v[i] is (byte)'.' or (byte)',')
            {
                i++;
                var digits = 0;
                while (i < v.Length && char.IsAsciiDigit((char)v[i]))
                {
                    if (digits < 7)
                    {
                        fraction = (fraction * 10) + (v[i] - '0');
                    }

                    digits++;
                    i++;
                }

                if (digits == 0)
                {
                    return false;
                }

                for (var k = digits; k < 7; k++)
                {
                    fraction *= 10;
                }
            }
        }

        ticks += (h * TimeSpan.TicksPerHour) + (min * TimeSpan.TicksPerMinute) + (s * TimeSpan.TicksPerSecond) + fraction;
        if (i == v.Length)
        {
            return true;
        }

        hasOffset = true;
        if (v[i] is (byte)'Z' or (byte)'z')
        {
            return i + 1 == v.Length;
        }

        if (v[i] is not ((byte)'+' or (byte)'-'))
        {
            return false;
        }

        var sign = v[i] == '+' ? 1 : -1;
        var rest = v[(i + 1)..];
        int oh, om;
        if (rest.Length == 5 && rest[2] == ':' && Digits(rest[..2], out oh) && Digits(rest[3..], out om))
        {
        }
        else if (rest.Length == 4 && Digits(rest[..2], out oh) && Digits(rest[2..], out om))
        {
        }
        else if (rest.Length == 2 && Digits(rest, out oh))
        {
            om = 0;
        }
        else
        {
            return false;
        }

        if (oh > 14 || om > 59)
        {
            return false;
        }

        ticks -= sign * ((oh * TimeSpan.TicksPerHour) + (om * TimeSpan.TicksPerMinute));
        return ticks >= 0;
    }

    private static bool Digits(ReadOnlySpan<byte> v, out int value)
    {
        value = 0;
        foreach (var b in v)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    public string Type => NonNull == 0 ? "string"
        : (_candidates & Kinds.Boolean) != 0 ? "boolean"
        : (_candidates & Kinds.Integer) != 0 ? "integer"
        : (_candidates & Kinds.Decimal) != 0 ? "decimal"
        : (_candidates & Kinds.Number) != 0 ? "number"
        : (_candidates & Kinds.Date) != 0 ? "date"
        : (_candidates & Kinds.Timestamp) != 0 ? "timestamp"
        : _allJson ? "json"
        : "string";

    public ColumnProfile ToProfile(long rows)
    {
        var nulls = Math.Max(0, rows - NonNull);
        var type = Type;
        var profile = new ColumnProfile
        {
            Name = Name,
            Type = type,
            NullCount = nulls,
            NullRatio = rows == 0 ? 0 : Math.Round((double)nulls / rows, 6),
        };
        var inv = CultureInfo.InvariantCulture;
        return type switch
        {
            "integer" => profile with { Min = _minInt.ToString(inv), Max = _maxInt.ToString(inv) },
            "decimal" => profile with { Min = _minDec.ToString(inv), Max = _maxDec.ToString(inv), Precision = Math.Min(38, Math.Max(1, _intDigits + _scale)), Scale = _scale },
            "number" => profile with { Min = _minNum.ToString("R", inv), Max = _maxNum.ToString("R", inv) },
            "date" => profile with { Min = DateOnly.FromDayNumber(_minDate).ToString("yyyy-MM-dd", inv), Max = DateOnly.FromDayNumber(_maxDate).ToString("yyyy-MM-dd", inv) },
            "timestamp" => profile with { Min = Timestamp(_minTs), Max = Timestamp(_maxTs) },
            "string" when NonNull > 0 => profile with { MinLength = _minLen, MaxLength = _maxLen },
            _ => profile,
        };
    }

    private string Timestamp(long ticks) =>
        new DateTime(ticks, DateTimeKind.Unspecified).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + (_allTsOffset ? "Z" : "");

    /// <summary>Decimal columns' precision and scale, for typed renditions.</summary>
    public (int Precision, int Scale) DecimalShape => (Math.Min(38, Math.Max(1, _intDigits + _scale)), _scale);
}
