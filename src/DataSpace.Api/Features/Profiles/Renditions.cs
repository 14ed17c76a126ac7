using System.Globalization;
using System.Text;
using System.Text.Json;
using DataSpace.Api.Http;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Versions;
using DataSpace.Parquet;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// Parquet renditions of csv, tsv and jsonl content, written after the profile with its inferred column types. Inference
/// reads every row (it does not sample), so every non-null value of a typed column parses as that type: a column with
/// a single value that does not is already a string column, and no value is ever coerced or lost. Mapping: integer →
/// INT64, decimal → DECIMAL(p, s) when p ≤ 18 (else string, keeping every digit), number → DOUBLE, boolean → BOOLEAN,
/// date → DATE, timestamp → TIMESTAMP(MICROS): a column whose every value carries an offset holds UTC instants
/// (isAdjustedToUTC=true); any other timestamp column holds local wall-clock times (isAdjustedToUTC=false), so
/// "2025-01-02 08:00" stays 08:00 for every reader instead of becoming 08:00 UTC (16:00 in Shanghai), and a value with
/// an offset in such a column is written as its Asia/Shanghai clock time; string and json → STRING; every column is nullable and empty fields / JSON null / missing keys are null.
/// The rendition is snappy-compressed, written to a temporary file (the writer needs a finished row group before it
/// knows sizes), then uploaded to renditions/xx/&lt;source sha256&gt;.parquet while hashing.
/// </summary>
internal static class Renditions
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById(DataSpace.Usage.ReportingPeriods.TimeZoneId);

    /// <summary>Why content gets no rendition, or null when it gets one.</summary>
    public static string? Unavailable(ProfileResult r) => r.Format switch
    {
        "csv" or "tsv" or "jsonl" when r.Columns is { Count: 0 } => "The file has no columns.",
        "csv" or "tsv" or "jsonl" when r.ColumnCount > r.Columns!.Count => $"The file has {r.ColumnCount} columns; renditions are made for at most {r.Columns.Count}.",
        "csv" or "tsv" or "jsonl" => null,
        "parquet" => "The file is Parquet already: ?format=parquet serves it as it is.",
        _ => $"Only csv, tsv and jsonl files get a Parquet rendition; this file is {r.Format}.",
    };

    public static string KeyFor(byte[] sourceSha256)
    {
        var hex = Convert.ToHexStringLower(sourceSha256);
        return $"renditions/{hex[..2]}/{hex}.parquet";
    }

    /// <summary>Writes and uploads the rendition; returns its key, size and sha256.</summary>
    /// <exception cref="ProfileFailedException">The content no longer reads as its profile said (it cannot, short of a bug).</exception>
    public static async Task<(string Key, long Size, byte[] Sha256)> RenderAsync(
        IBlobStore blobs, ProfileStore.Claim claim, ProfilingOptions options, CancellationToken ct)
    {
        var columns = JsonSerializer.Deserialize<List<ColumnProfile>>(claim.Columns!, Json.Options)!;
        var schema = columns.Select(c => c.Type switch
        {
            "integer" => new ParquetColumn(c.Name, ParquetType.Int64),
            "decimal" when c.Precision <= 18 => new ParquetColumn(c.Name, ParquetType.Decimal, Precision: c.Precision!.Value, Scale: c.Scale ?? 0),
            "number" => new ParquetColumn(c.Name, ParquetType.Double),
            "boolean" => new ParquetColumn(c.Name, ParquetType.Boolean),
            "date" => new ParquetColumn(c.Name, ParquetType.Date),
            // The profile gives a timestamp column's min in UTC with Z exactly when every value carried an offset.
            "timestamp" => new ParquetColumn(c.Name, ParquetType.TimestampMicros, AdjustedToUtc: c.Min?.EndsWith('Z') == true),
            _ => new ParquetColumn(c.Name, ParquetType.String),
        }).ToList();

        var temp = Path.Combine(Path.GetTempPath(), $"dataspace-rendition-{Guid.NewGuid():N}.parquet");
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (var writer = new ParquetWriter(file, schema, new ParquetWriterOptions { Codec = ParquetCodec.Snappy }, leaveOpen: true))
        {
            var rows = new RowWriter(writer, schema);
            await using (var source = await blobs.OpenReadAsync(claim.BlobKey, 0, null, ct))
            {
                FileProfiler.IConsumer consumer = claim.Format == "jsonl"
                    ? new JsonRows(rows, columns, options)
                    : new CsvRows(rows, (byte)claim.Delimiter![0], claim.Header == true, options);
                await FileProfiler.StreamAllAsync(source, consumer, ct);
            }

            await writer.CompleteAsync(ct);
        }

        file.Position = 0;
        var key = KeyFor(claim.Sha256);
        using var hashing = new HashingReadStream(file, long.MaxValue);
        await blobs.UploadAsync(key, hashing, ct);
        return (key, hashing.BytesRead, hashing.Hash());
    }

    /// <summary>One row's values as text (csv) or JSON tokens, written with the column's type.</summary>
    private sealed class RowWriter(ParquetWriter writer, IReadOnlyList<ParquetColumn> schema)
    {
        public IReadOnlyList<ParquetColumn> Schema => schema;

        public void Text(int column, ReadOnlySpan<byte> v)
        {
            var t = v.Trim((byte)' ');
            switch (schema[column].Type)
            {
                case ParquetType.Int64:
                    writer.Write(long.Parse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                    break;
                case ParquetType.Decimal:
                    writer.Write(decimal.Parse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
                    break;
                case ParquetType.Double:
                    writer.Write(double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture));
                    break;
                case ParquetType.Boolean:
                    writer.Write(System.Text.Ascii.EqualsIgnoreCase(t, "true"u8));
                    break;
                case ParquetType.Date:
                    writer.Write(ColumnStats.TryDate(t, out var d) ? d : throw Mismatch(column));
                    break;
                case ParquetType.TimestampMicros:
                    writer.Write(ColumnStats.TryTimestamp(t, out var ticks, out var hasOffset) ? Timestamp(schema[column], ticks, hasOffset) : throw Mismatch(column));
                    break;
                default:
                    writer.Write(Encoding.UTF8.GetString(v));
                    break;
            }
        }

        public void Null() => writer.WriteNull();

        /// <summary>UTC ticks of a value with an offset, wall-clock ticks of one without, as the column holds them.</summary>
        private static DateTimeOffset Timestamp(ParquetColumn column, long ticks, bool hasOffset) =>
            column.AdjustedToUtc || !hasOffset
                ? new DateTimeOffset(ticks, TimeSpan.Zero)
                : TimeZoneInfo.ConvertTime(new DateTimeOffset(ticks, TimeSpan.Zero), Shanghai);

        public void EndRow() => writer.EndRow();

        private ProfileFailedException Mismatch(int column) =>
            new($"A value of column {schema[column].Name} does not read as {schema[column].Type} although the profile said so.");
    }

    private sealed class CsvRows(RowWriter rows, byte delimiter, bool header, ProfilingOptions options) : FileProfiler.IConsumer, CsvScanner.ISink
    {
        // Strings are written whole, so a field may be as long as a record may be.
        private readonly CsvScanner _scanner = new(delimiter, options.MaxRecordBytes, options.MaxRecordBytes);
        private bool _skipHeader = header;
        private int _written;

        public void Consume(ReadOnlySpan<byte> chunk) => _scanner.Feed(chunk, this);

        public void Complete() => _scanner.Complete(this);

        public void Field(int index, ReadOnlySpan<byte> kept, long totalBytes, bool quoted)
        {
            if (_skipHeader || index >= rows.Schema.Count)
            {
                return;
            }

            if (kept.IsEmpty)
            {
                rows.Null();
            }
            else
            {
                rows.Text(index, kept);
            }

            _written++;
        }

        public void EndRecord(int fieldCount)
        {
            if (_skipHeader)
            {
                _skipHeader = false;
                return;
            }

            for (; _written < rows.Schema.Count; _written++)
            {
                rows.Null();
            }

            rows.EndRow();
            _written = 0;
        }
    }

    private sealed class JsonRows(RowWriter rows, IReadOnlyList<ColumnProfile> columns, ProfilingOptions options) : FileProfiler.IConsumer
    {
        private readonly Dictionary<string, int> _index = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        private readonly byte[]?[] _values = new byte[columns.Count][];
        private readonly LineSplitter _splitter = new(options.MaxRecordBytes);
        private readonly JsonScratch _scratch = new();

        public void Consume(ReadOnlySpan<byte> chunk) => _splitter.Consume(chunk, Line);

        public void Complete() => _splitter.Complete(Line);

        /// <summary>The column of the current key, found without allocating; -1 for keys that are not columns.</summary>
        private int Column(ref Utf8JsonReader reader) =>
            _index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(_scratch.Chars(_scratch.Unescaped(ref reader)), out var i) ? i : -1;

        private void Line(ReadOnlySpan<byte> line)
        {
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                return;
            }

            Array.Clear(_values);
            var reader = new Utf8JsonReader(line);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var i = Column(ref reader);
                reader.Read();
                if (i < 0 || _values[i] is not null)
                {
                    // Not a column, or a repeated key (the first one counts): skipped without materialising it.
                    reader.Skip();
                    continue;
                }

                byte[]? value = reader.TokenType switch
                {
                    JsonTokenType.StartObject or JsonTokenType.StartArray => Encoding.UTF8.GetBytes(JsonElement.ParseValue(ref reader).GetRawText()),
                    JsonTokenType.String => Encoding.UTF8.GetBytes(reader.GetString()!),
                    JsonTokenType.Number => reader.ValueSpan.ToArray(),
                    JsonTokenType.True => "true"u8.ToArray(),
                    JsonTokenType.False => "false"u8.ToArray(),
                    _ => null,
                };
                _values[i] = value;
            }

            for (var i = 0; i < _values.Length; i++)
            {
                if (_values[i] is { } v)
                {
                    rows.Text(i, v);
                }
                else
                {
                    rows.Null();
                }
            }

            rows.EndRow();
        }
    }
}
