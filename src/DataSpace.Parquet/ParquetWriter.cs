using System.Buffers;
using System.Text.Unicode;
using DataSpace.Parquet.Internal;

namespace DataSpace.Parquet;

/// <summary>
/// Streams a flat Parquet file to any writable stream (it need not seek: positions are counted here).
/// Write values in column order, then EndRow. Memory holds one row group of encoded pages.
/// </summary>
public sealed class ParquetWriter : IDisposable, IAsyncDisposable
{
    public const string CreatedBy = "DataSpace.Parquet version 1.0";

    /// <summary>The media type of a Parquet file (IANA registration application/vnd.apache.parquet).</summary>
    public const string MediaType = "application/vnd.apache.parquet";

    private readonly Stream _output;
    private readonly IReadOnlyList<ParquetColumn> _schema;
    private readonly ParquetWriterOptions _options;
    private readonly bool _leaveOpen;
    private readonly ColumnWriter[] _columns;
    private readonly List<(long Rows, ChunkInfo[] Chunks)> _rowGroups = [];
    private readonly decimal[] _decimalLimits;
    private readonly decimal[] _decimalFactors;
    private byte[] _utf8 = new byte[256];
    private long _position;
    private int _column;
    private long _groupRows;
    private bool _started;
    private bool _completed;

    public ParquetWriter(Stream output, IReadOnlyList<ParquetColumn> schema, ParquetWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        if (schema.Count == 0)
        {
            throw new ArgumentException("A Parquet schema needs at least one column.", nameof(schema));
        }

        _options = options ?? new ParquetWriterOptions();
        if (_options.RowGroupRows <= 0 || _options.RowGroupBytes <= 0 || _options.PageBytes <= 0 || _options.DictionaryPageBytes <= 0)
        {
            throw new ArgumentException("Row group, page and dictionary limits must be positive.", nameof(options));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        _decimalLimits = new decimal[schema.Count];
        _decimalFactors = new decimal[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            var c = schema[i] ?? throw new ArgumentException("Schema holds a null column.", nameof(schema));
            if (string.IsNullOrEmpty(c.Name) || c.Name.Contains('.', StringComparison.Ordinal) || !names.Add(c.Name))
            {
                throw new ArgumentException($"Column name '{c.Name}' is empty, dotted or repeated.", nameof(schema));
            }

            if (c.Type == ParquetType.Decimal)
            {
                if (c.Precision is < 1 or > 18 || c.Scale < 0 || c.Scale > c.Precision)
                {
                    throw new ArgumentException($"Decimal column {c.Name}: precision must be 1..18 and scale 0..precision.", nameof(schema));
                }

                _decimalLimits[i] = Pow10(c.Precision);
                _decimalFactors[i] = Pow10(c.Scale);
            }
        }

        _output = output;
        _schema = schema;
        _leaveOpen = leaveOpen;
        _columns = [.. schema.Select(c => new ColumnWriter(c, _options))];
    }

    /// <summary>Rows completed with EndRow (including those already flushed).</summary>
    public long RowCount { get; private set; }

    public void WriteNull()
    {
        var c = Current();
        if (!c.Column.Nullable)
        {
            throw new ArgumentException($"Column {c.Column.Name} is required: it cannot hold null.");
        }

        c.AddNull();
        _column++;
    }

    public void Write(bool v) => Expect(ParquetType.Boolean).AddBoolean(v);

    public void Write(int v)
    {
        var c = Current();
        switch (c.Column.Type)
        {
            case ParquetType.Int32:
                c.AddInt32(v);
                break;
            case ParquetType.Int64:
                c.AddInt64(v);
                break;
            default:
                throw WrongType(c, "int");
        }

        _column++;
    }

    public void Write(long v) => Expect(ParquetType.Int64).AddInt64(v);

    public void Write(float v) => Expect(ParquetType.Float).AddFloat(v);

    public void Write(double v) => Expect(ParquetType.Double).AddDouble(v);

    public void Write(string? v)
    {
        if (v is null)
        {
            WriteNull();
            return;
        }

        var c = Current();
        if (c.Column.Type != ParquetType.String)
        {
            throw WrongType(c, "string");
        }

        // At most 3 UTF-8 bytes per UTF-16 unit; Utf8.FromUtf16 transcodes without the Encoding fallback machinery.
        if (v.Length * 3L > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(v.Length * 3, _utf8.Length * 2)];
        }

        if (Utf8.FromUtf16(v, _utf8, out _, out var n, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            throw new ArgumentException($"Column {c.Column.Name}: the string is not valid UTF-16.", nameof(v));
        }

        c.AddBytes(_utf8.AsSpan(0, n));
        _column++;
    }

    public void Write(ReadOnlySpan<byte> v)
    {
        var c = Current();
        if (c.Column.Type != ParquetType.Binary)
        {
            throw WrongType(c, "bytes");
        }

        c.AddBytes(v);
        _column++;
    }

    public void Write(DateOnly v)
    {
        var c = Current();
        if (c.Column.Type != ParquetType.Date)
        {
            throw WrongType(c, "DateOnly");
        }

        c.AddInt32(v.DayNumber - Values.UnixEpochDay);
        _column++;
    }

    public void Write(DateTimeOffset v)
    {
        var c = Current();
        var ticks = (c.Column.AdjustedToUtc ? v.UtcTicks : v.Ticks) - Values.UnixEpochTicks;
        var unit = c.Column.Type switch
        {
            ParquetType.TimestampMicros => TimeSpan.TicksPerMicrosecond,
            ParquetType.TimestampMillis => TimeSpan.TicksPerMillisecond,
            _ => throw WrongType(c, "DateTimeOffset"),
        };
        var q = ticks / unit;
        if (ticks % unit < 0)
        {
            q--;
        }

        c.AddInt64(q);
        _column++;
    }

    public void Write(decimal v)
    {
        var c = Current();
        if (c.Column.Type != ParquetType.Decimal)
        {
            throw WrongType(c, "decimal");
        }

        c.AddInt64(Unscaled(_column, v));
        _column++;
    }

    /// <summary>Ends the row; a row group that reached its row or byte limit is written synchronously.</summary>
    public void EndRow()
    {
        if (CloseRow())
        {
            FlushRowGroup();
        }
    }

    /// <summary>
    /// Ends the row like <see cref="EndRow"/>, but writes a full row group asynchronously: for outputs that refuse
    /// synchronous writes, such as an ASP.NET Core response body.
    /// </summary>
    public ValueTask EndRowAsync(CancellationToken ct = default) =>
        CloseRow() ? new ValueTask(FlushRowGroupCoreAsync(ct)) : ValueTask.CompletedTask;

    /// <summary>Counts the finished row; true when its row group is full.</summary>
    private bool CloseRow()
    {
        if (_column != _columns.Length)
        {
            throw new InvalidOperationException($"Row ended after {_column} of {_columns.Length} values.");
        }

        _column = 0;
        RowCount++;
        _groupRows++;
        return _groupRows >= _options.RowGroupRows || Buffered() >= _options.RowGroupBytes;
    }

    /// <summary>Writes one row of boxed values (convenience; the typed Write methods do not allocate).</summary>
    public void WriteRow(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_column != 0)
        {
            throw new InvalidOperationException("WriteRow inside a row started with Write.");
        }

        if (values.Length != _columns.Length)
        {
            throw new ArgumentException($"Row has {values.Length} values for {_columns.Length} columns.", nameof(values));
        }

        // Check every value first, so a rejected row leaves nothing half-written.
        for (var i = 0; i < values.Length; i++)
        {
            Check(i, values[i]);
        }

        foreach (var value in values)
        {
            switch (value)
            {
                case null: WriteNull(); break;
                case bool b: Write(b); break;
                case int n: Write(n); break;
                case long l: Write(l); break;
                case float f: Write(f); break;
                case double d: Write(d); break;
                case string s: Write(s); break;
                case byte[] bytes: Write(bytes.AsSpan()); break;
                case ReadOnlyMemory<byte> m: Write(m.Span); break;
                case DateOnly date: Write(date); break;
                case DateTimeOffset ts: Write(ts); break;
                case DateTime dt: Write(ToOffset(dt)); break;
                case decimal m: Write(m); break;
                default: throw new ArgumentException($"Unsupported value type {value.GetType()}.", nameof(values));
            }
        }

        EndRow();
    }

    public Task FlushRowGroupAsync(CancellationToken ct = default) => FlushRowGroupCoreAsync(ct);

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        if (_completed)
        {
            return;
        }

        if (_column != 0)
        {
            throw new InvalidOperationException("Complete called in the middle of a row.");
        }

        await FlushRowGroupCoreAsync(ct).ConfigureAwait(false);
        await StartAsync(ct).ConfigureAwait(false);
        var footer = Footer();
        await _output.WriteAsync(footer, ct).ConfigureAwait(false);
        await _output.FlushAsync(ct).ConfigureAwait(false);
        _position += footer.Length;
        _completed = true;
    }

    public void Dispose()
    {
        try
        {
            if (!_completed && _column == 0)
            {
                FlushRowGroup();
                Start();
                var footer = Footer();
                _output.Write(footer);
                _output.Flush();
                _completed = true;
            }
        }
        finally
        {
            if (!_leaveOpen)
            {
                _output.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_completed && _column == 0)
            {
                await CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _output.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private ColumnWriter Current()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The writer is complete.");
        }

        return _column < _columns.Length
            ? _columns[_column]
            : throw new InvalidOperationException($"All {_columns.Length} values of the row are written: call EndRow.");
    }

    private ColumnWriter Expect(ParquetType type)
    {
        var c = Current();
        if (c.Column.Type != type)
        {
            throw WrongType(c, type.ToString());
        }

        _column++;
        return c;
    }

    private static ArgumentException WrongType(ColumnWriter c, string given) =>
        new($"Column {c.Column.Name} is {c.Column.Type}; a {given} value does not fit it.");

    private void Check(int i, object? value)
    {
        var col = _schema[i];
        var ok = value switch
        {
            null => col.Nullable,
            bool => col.Type == ParquetType.Boolean,
            int => col.Type is ParquetType.Int32 or ParquetType.Int64,
            long => col.Type == ParquetType.Int64,
            float => col.Type == ParquetType.Float,
            double => col.Type == ParquetType.Double,
            string => col.Type == ParquetType.String,
            byte[] or ReadOnlyMemory<byte> => col.Type == ParquetType.Binary,
            DateOnly => col.Type == ParquetType.Date,
            DateTimeOffset or DateTime => col.Type is ParquetType.TimestampMillis or ParquetType.TimestampMicros,
            decimal d => col.Type == ParquetType.Decimal && Unscaled(i, d) is var _,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"Column {col.Name} ({col.Type}, {(col.Nullable ? "nullable" : "required")}) cannot hold {value?.GetType().Name ?? "null"}.");
        }
    }

    private static DateTimeOffset ToOffset(DateTime dt) =>
        dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : new DateTimeOffset(dt.ToUniversalTime());

    private long Unscaled(int i, decimal v)
    {
        var col = _schema[i];
        decimal scaled;
        try
        {
            scaled = v * _decimalFactors[i];
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"Decimal {v} does not fit column {col.Name} DECIMAL({col.Precision},{col.Scale}).", e);
        }

        if (decimal.Truncate(scaled) != scaled || Math.Abs(scaled) >= _decimalLimits[i])
        {
            throw new ArgumentException($"Decimal {v} does not fit column {col.Name} DECIMAL({col.Precision},{col.Scale}).");
        }

        return (long)scaled;
    }

    private static decimal Pow10(int n)
    {
        var r = 1m;
        for (var k = 0; k < n; k++)
        {
            r *= 10;
        }

        return r;
    }

    private long Buffered()
    {
        long total = 0;
        foreach (var c in _columns)
        {
            total += c.BufferedBytes;
        }

        return total;
    }

    private void Start()
    {
        if (!_started)
        {
            _output.Write("PAR1"u8);
            _position = 4;
            _started = true;
        }
    }

    private async Task StartAsync(CancellationToken ct)
    {
        if (!_started)
        {
            await _output.WriteAsync("PAR1"u8.ToArray(), ct).ConfigureAwait(false);
            _position = 4;
            _started = true;
        }
    }

    private void FlushRowGroup()
    {
        if (_groupRows == 0)
        {
            return;
        }

        Start();
        var chunks = new ChunkInfo[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var (segments, info) = _columns[i].FinishChunk(_position);
            foreach (var s in segments)
            {
                _output.Write(s.Span);
                _position += s.Length;
            }

            chunks[i] = info;
            _columns[i].Reset();
        }

        _rowGroups.Add((_groupRows, chunks));
        _groupRows = 0;
    }

    private async Task FlushRowGroupCoreAsync(CancellationToken ct)
    {
        if (_column != 0)
        {
            throw new InvalidOperationException("Flush called in the middle of a row.");
        }

        if (_groupRows == 0)
        {
            return;
        }

        await StartAsync(ct).ConfigureAwait(false);
        var chunks = new ChunkInfo[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var (segments, info) = _columns[i].FinishChunk(_position);
            foreach (var s in segments)
            {
                await _output.WriteAsync(s, ct).ConfigureAwait(false);
                _position += s.Length;
            }

            chunks[i] = info;
            _columns[i].Reset();
        }

        _rowGroups.Add((_groupRows, chunks));
        _groupRows = 0;
    }

    private byte[] Footer()
    {
        var buffer = new ByteBuffer(4096);
        var w = new CompactWriter(buffer);
        w.BeginStruct();
        w.I32(1, 1);
        w.ListField(2, TType.Struct, _schema.Count + 1);
        w.BeginStruct();
        w.String(4, "schema");
        w.I32(5, _schema.Count);
        w.EndStruct();
        foreach (var c in _schema)
        {
            SchemaElement(w, c);
        }

        w.I64(3, RowCount);
        w.ListField(4, TType.Struct, _rowGroups.Count);
        short ordinal = 0;
        foreach (var (rows, chunks) in _rowGroups)
        {
            w.BeginStruct();
            w.ListField(1, TType.Struct, chunks.Length);
            long uncompressed = 0;
            long compressed = 0;
            for (var i = 0; i < chunks.Length; i++)
            {
                ColumnChunk(w, _schema[i], _columns[i].Physical, chunks[i]);
                uncompressed += chunks[i].UncompressedSize;
                compressed += chunks[i].CompressedSize;
            }

            w.I64(2, uncompressed);
            w.I64(3, rows);
            w.I64(5, chunks[0].Start);
            w.I64(6, compressed);
            w.FieldHeader(7, TType.I16);
            w.I32Value(ordinal++);
            w.EndStruct();
        }

        if (_options.KeyValueMetadata is { Count: > 0 } kv)
        {
            w.ListField(5, TType.Struct, kv.Count);
            foreach (var (key, value) in kv)
            {
                w.BeginStruct();
                w.String(1, key);
                if (value is not null)
                {
                    w.String(2, value);
                }

                w.EndStruct();
            }
        }

        w.String(6, CreatedBy);

        // TypeDefinedOrder for every column: readers then trust min_value/max_value.
        w.ListField(7, TType.Struct, _schema.Count);
        for (var i = 0; i < _schema.Count; i++)
        {
            w.BeginStruct();
            w.StructField(1);
            w.EndStruct();
            w.EndStruct();
        }

        w.EndStruct();
        var length = buffer.Length;
        buffer.WriteInt32(length);
        buffer.Write("PAR1"u8);
        return buffer.Span.ToArray();
    }

    private static void SchemaElement(CompactWriter w, ParquetColumn c)
    {
        w.BeginStruct();
        w.I32(1, ColumnWriter.Physicals(c.Type));
        w.I32(3, c.Nullable ? 1 : 0);
        w.String(4, c.Name);
        int? converted = c.Type switch
        {
            ParquetType.String => ConvertedType.Utf8,
            ParquetType.Date => ConvertedType.Date,
            ParquetType.TimestampMillis when c.AdjustedToUtc => ConvertedType.TimestampMillis,
            ParquetType.TimestampMicros when c.AdjustedToUtc => ConvertedType.TimestampMicros,
            ParquetType.Decimal => ConvertedType.Decimal,
            _ => null,
        };
        if (converted is int cv)
        {
            w.I32(6, cv);
        }

        if (c.Type == ParquetType.Decimal)
        {
            w.I32(7, c.Scale);
            w.I32(8, c.Precision);
        }

        switch (c.Type)
        {
            case ParquetType.String:
                w.StructField(10);
                w.StructField(1);
                w.EndStruct();
                w.EndStruct();
                break;
            case ParquetType.Date:
                w.StructField(10);
                w.StructField(6);
                w.EndStruct();
                w.EndStruct();
                break;
            case ParquetType.TimestampMillis:
            case ParquetType.TimestampMicros:
                w.StructField(10);
                w.StructField(8);
                w.Bool(1, c.AdjustedToUtc);
                w.StructField(2);
                w.StructField(c.Type == ParquetType.TimestampMillis ? (short)1 : (short)2);
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                break;
            case ParquetType.Decimal:
                w.StructField(10);
                w.StructField(5);
                w.I32(1, c.Scale);
                w.I32(2, c.Precision);
                w.EndStruct();
                w.EndStruct();
                break;
            default:
                break;
        }

        w.EndStruct();
    }

    private void ColumnChunk(CompactWriter w, ParquetColumn c, int physical, ChunkInfo info)
    {
        w.BeginStruct();
        w.I64(2, info.Start);
        w.StructField(3);
        w.I32(1, physical);
        w.ListField(2, TType.I32, info.Encodings.Count);
        foreach (var e in info.Encodings)
        {
            w.I32Value(e);
        }

        w.ListField(3, TType.Binary, 1);
        w.StringValue(c.Name);
        w.I32(4, Codecs.Id(_options.Codec));
        w.I64(5, info.NumValues);
        w.I64(6, info.UncompressedSize);
        w.I64(7, info.CompressedSize);
        w.I64(9, info.DataPageOffset);
        if (info.DictionaryPageOffset is long d)
        {
            w.I64(11, d);
        }

        w.StructField(12);
        w.I64(3, info.NullCount);
        if (info.Max is not null)
        {
            w.Binary(5, info.Max);
        }

        if (info.Min is not null)
        {
            w.Binary(6, info.Min);
        }

        w.EndStruct();
        w.EndStruct();
        w.EndStruct();
    }
}
