using System.Buffers;
using System.Text;
using System.Text.Json;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Profiles;

/// <summary>Where the profiler reads content from: a blob in production, bytes in unit tests. Ranged, forward-only reads.</summary>
internal interface IProfileSource
{
    long Size { get; }

    Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct);
}

/// <summary>A finished profile (status done). Cell and null-cell counts feed the reward policy's completeness.</summary>
internal sealed record ProfileResult(
    string Format, string? Delimiter, bool? Header, long? RowCount, int? ColumnCount, IReadOnlyList<ColumnProfile>? Columns, IReadOnlyList<string> Notes)
{
    public long CellCount => Columns is null || RowCount is not { } rows ? 0 : rows * Columns.Count;

    public long NullCells => Columns?.Sum(c => c.NullCount) ?? 0;
}

/// <summary>
/// Profiles one file in a single streaming pass with a pooled buffer, whatever its size: it sniffs the format from the
/// first 64 KiB (Parquet by its magic at both ends; NUL bytes or non-text → binary; a first line holding a JSON object →
/// JSON Lines; otherwise CSV with the delimiter among , tab ; | that splits the sampled records most consistently), then
/// reads the rest validating UTF-8 (a BOM is skipped) and feeding per-column statistics.
/// </summary>
internal sealed class FileProfiler(ProfilingOptions options)
{
    private const int SniffBytes = 64 * 1024;
    private const int BufferBytes = 1024 * 1024;
    private const int SniffRecords = 100;
    private static readonly byte[] Delimiters = [(byte)',', (byte)'\t', (byte)';', (byte)'|'];

    /// <exception cref="ProfileFailedException">The content looked like a table but is not a readable one.</exception>
    public async Task<ProfileResult> ProfileAsync(IProfileSource source, CancellationToken ct)
    {
        if (source.Size == 0)
        {
            return new ProfileResult("empty", null, null, 0, 0, [], []);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            await using var stream = await source.OpenAsync(0, null, ct);
            var count = await FillAsync(stream, buffer, 0, SniffBytes, ct);
            var eof = count < SniffBytes || count == source.Size;
            if (source.Size >= 12 && buffer.AsSpan(0, 4).SequenceEqual("PAR1"u8) && await IsParquetAsync(source, ct))
            {
                return await ParquetFooter.ProfileAsync(source, options, ct);
            }

            var start = buffer.AsSpan(0, count).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            var head = buffer.AsSpan(start, count - start);
            var kind = Classify(head, eof, start);
            if (kind == "binary")
            {
                return new ProfileResult("binary", null, null, null, null, null, []);
            }

            if (kind == "jsonl")
            {
                var jsonl = new JsonLinesConsumer(options);
                await StreamAsync(stream, buffer, start, count, jsonl, ct);
                return jsonl.Result();
            }

            var (delimiter, header) = Sniff(head, eof);
            var csv = new CsvConsumer(options, delimiter, header);
            await StreamAsync(stream, buffer, start, count, csv, ct);
            return csv.Result();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Feeds a whole text content (BOM skipped, UTF-8 validated) to a consumer: the rendition's second pass.</summary>
    internal static async Task StreamAllAsync(Stream stream, IConsumer consumer, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var count = await FillAsync(stream, buffer, 0, SniffBytes, ct);
            var start = buffer.AsSpan(0, count).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            await StreamAsync(stream, buffer, start, count, consumer, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<bool> IsParquetAsync(IProfileSource source, CancellationToken ct)
    {
        await using var tail = await source.OpenAsync(source.Size - 4, 4, ct);
        var magic = new byte[4];
        await tail.ReadExactlyAsync(magic, ct);
        return magic.AsSpan().SequenceEqual("PAR1"u8);
    }

    private static async Task<int> FillAsync(Stream stream, byte[] buffer, int offset, int wanted, CancellationToken ct)
    {
        var total = 0;
        while (total < wanted)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(offset + total, wanted - total), ct);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>binary, jsonl or csv, from the first bytes (after a BOM).</summary>
    private static string Classify(ReadOnlySpan<byte> head, bool eof, int bomLength)
    {
        if (head.Contains((byte)0))
        {
            return "binary";
        }

        var boundary = eof ? head.Length : CompleteBoundary(head);
        if (InvalidUtf8At(head[..boundary]) is { } bad)
        {
            var controls = 0;
            foreach (var b in head)
            {
                controls += b < 0x20 && b is not ((byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0C) ? 1 : 0;
            }

            // Text in another encoding (GB18030, GBK) is worth a reason; random bytes are simply binary.
            return controls * 100 > head.Length || head.Length == 0
                ? "binary"
                : throw new ProfileFailedException($"The content is not valid UTF-8 (at byte {bad + bomLength}); text in GB18030/GBK must be converted to UTF-8 to be profiled.");
        }

        var firstLine = head.TrimStart(" \t\r\n"u8);
        return firstLine.Length > 0 && firstLine[0] == '{' ? "jsonl" : "csv";
    }

    /// <summary>Where the last complete UTF-8 sequence ends, so a sequence cut by a chunk boundary waits for the next chunk.</summary>
    private static int CompleteBoundary(ReadOnlySpan<byte> data)
    {
        for (var back = 1; back <= Math.Min(4, data.Length); back++)
        {
            var b = data[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return need > back ? data.Length - back : data.Length;
        }

        return data.Length;
    }

    private static int? InvalidUtf8At(ReadOnlySpan<byte> data)
    {
        if (System.Text.Unicode.Utf8.IsValid(data))
        {
            return null;
        }

        var offset = 0;
        while (offset < data.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(data[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return data.Length;
    }

    internal interface IConsumer
    {
        void Consume(ReadOnlySpan<byte> chunk);

        void Complete();
    }

    /// <summary>Feeds the whole content (after the BOM) to the consumer in validated UTF-8 chunks; the first <paramref name="count"/> bytes are already in the buffer.</summary>
    private static async Task StreamAsync(Stream stream, byte[] buffer, int start, int count, IConsumer consumer, CancellationToken ct)
    {
        long offset = 0;
        var from = start;
        var eof = false;
        while (true)
        {
            var boundary = eof ? count : from + CompleteBoundary(buffer.AsSpan(from, count - from));
            if (InvalidUtf8At(buffer.AsSpan(from, boundary - from)) is { } bad)
            {
                throw new ProfileFailedException($"The content is not valid UTF-8 (at byte {offset + from + bad}).");
            }

            consumer.Consume(buffer.AsSpan(from, boundary - from));
            if (eof)
            {
                break;
            }

            var carry = count - boundary;
            buffer.AsSpan(boundary, carry).CopyTo(buffer);
            offset += boundary;
            from = 0;
            var read = await stream.ReadAsync(buffer.AsMemory(carry, BufferBytes - carry), ct);
            eof = read == 0;
            count = carry + read;
        }

        consumer.Complete();
    }

    /// <summary>The delimiter that splits the sampled records most consistently into more than one field, and whether the first record is a header.</summary>
    internal (byte Delimiter, bool Header) Sniff(ReadOnlySpan<byte> head, bool eof)
    {
        var sample = eof ? head : head[..(head.LastIndexOf((byte)'\n') + 1)];
        byte best = (byte)',';
        var bestScore = (Consistent: -1.0, Fields: 0);
        foreach (var delimiter in Delimiters)
        {
            var counter = new SampleSink();
            var scanner = new CsvScanner(delimiter, options.MaxFieldBytes, long.MaxValue);
            try
            {
                scanner.Feed(sample, counter);
                if (eof)
                {
                    scanner.Complete(counter);
                }
            }
            catch (ProfileFailedException)
            {
                continue;
            }

            if (counter.Counts.Count == 0)
            {
                continue;
            }

            var mode = counter.Counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (mode.Key < 2)
            {
                continue;
            }

            var score = ((double)mode.Count() / counter.Counts.Count, mode.Key);
            if (score.Item1 > bestScore.Consistent || (score.Item1 == bestScore.Consistent && score.Key > bestScore.Fields))
            {
                best = delimiter;
                bestScore = score;
            }
        }

        var first = new SampleSink();
        var headerScanner = new CsvScanner(best, options.MaxFieldBytes, long.MaxValue);
        try
        {
            headerScanner.Feed(sample, first);
            if (eof)
            {
                headerScanner.Complete(first);
            }
        }
        catch (ProfileFailedException)
        {
            // The full pass will say what is wrong.
        }

        // A header names columns: no field of the first record reads as a number, boolean, date or timestamp.
        var header = first.FirstRecord.Count > 0 && first.FirstRecord.Any(f => f.Length > 0) && first.FirstRecord.All(f =>
        {
            if (f.Length == 0)
            {
                return true;
            }

            var stats = new ColumnStats("");
            stats.AddText(f, f.Length);
            return stats.Type == "string";
        });
        return (best, header);
    }

    private sealed class SampleSink : CsvScanner.ISink
    {
        public List<int> Counts { get; } = [];

        public List<byte[]> FirstRecord { get; } = [];

        public void Field(int index, ReadOnlySpan<byte> kept, long totalBytes, bool quoted)
        {
            if (Counts.Count == 0)
            {
                FirstRecord.Add(kept.ToArray());
            }
        }

        public void EndRecord(int fieldCount)
        {
            if (Counts.Count < SniffRecords)
            {
                Counts.Add(fieldCount);
            }
        }
    }

    /// <summary>Header names: trimmed, empty ones named column_N, duplicates suffixed _2, _3, ….</summary>
    private static List<string> UniqueNames(IEnumerable<string> raw)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in raw)
        {
            var name = r.Trim();
            if (name.Length == 0)
            {
                name = $"column_{names.Count + 1}";
            }

            var unique = name;
            for (var n = 2; !seen.Add(unique); n++)
            {
                unique = $"{name}_{n}";
            }

            names.Add(unique);
        }

        return names;
    }

    private sealed class CsvConsumer(ProfilingOptions options, byte delimiter, bool header) : IConsumer, CsvScanner.ISink
    {
        private readonly CsvScanner _scanner = new(delimiter, options.MaxFieldBytes, options.MaxRecordBytes);
        private readonly List<string> _headerNames = [];
        private List<ColumnStats>? _columns;
        private int _expected;
        private long _rows;
        private long _ragged;
        private long _firstRagged;
        private int _firstRaggedFields;
        private readonly bool _header = header;
        private bool _inHeader = header;

        public void Consume(ReadOnlySpan<byte> chunk) => _scanner.Feed(chunk, this);

        public void Complete() => _scanner.Complete(this);

        public void Field(int index, ReadOnlySpan<byte> kept, long totalBytes, bool quoted)
        {
            if (_inHeader)
            {
                // Only described columns keep a name: a header of a million fields costs a counter, not a million strings.
                if (_headerNames.Count < options.MaxColumns)
                {
                    _headerNames.Add(ColumnStats.NameFrom(kept));
                }

                return;
            }

            if (_columns is null)
            {
                // No header: columns are named by position, from the first record.
                _columns = [];
            }

            if (index >= _columns.Count && _headerNames.Count == 0 && _rows == 0 && index < options.MaxColumns)
            {
                _columns.Add(new ColumnStats($"column_{index + 1}"));
            }

            if (index < _columns.Count && totalBytes > 0)
            {
                _columns[index].AddText(kept, totalBytes);
            }
        }

        public void EndRecord(int fieldCount)
        {
            if (_inHeader)
            {
                _inHeader = false;
                _expected = fieldCount;
                _columns = [.. UniqueNames(_headerNames).Take(options.MaxColumns).Select(n => new ColumnStats(n))];
                return;
            }

            if (_rows == 0 && _headerNames.Count == 0)
            {
                _expected = fieldCount;
            }

            _rows++;
            if (fieldCount != _expected)
            {
                if (_ragged++ == 0)
                {
                    _firstRagged = _scanner.Records + 1;
                    _firstRaggedFields = fieldCount;
                }
            }
        }

        public ProfileResult Result()
        {
            var columns = _columns ?? [.. UniqueNames(_headerNames).Take(options.MaxColumns).Select(n => new ColumnStats(n))];
            var notes = new List<string>();
            if (_ragged > 0)
            {
                var what = $"{_ragged} of {_rows} rows have a number of fields other than {_expected} (first: record {_firstRagged}, {_firstRaggedFields} fields)";
                if (_ragged * 1000 > _rows * options.RaggedRowsPerMille)
                {
                    throw new ProfileFailedException($"Inconsistent number of fields: {what}; at most {options.RaggedRowsPerMille} per thousand are tolerated.");
                }

                notes.Add($"{what}: tolerated; missing fields count as null and extra fields are ignored.");
            }

            if (_expected > columns.Count)
            {
                notes.Add($"Only the first {columns.Count} of {_expected} columns are described.");
            }

            if (_scanner.StrayQuotes > 0)
            {
                notes.Add($"{_scanner.StrayQuotes} quotes outside RFC 4180 quoting were read as text.");
            }

            return new ProfileResult(delimiter == '\t' ? "tsv" : "csv", ((char)delimiter).ToString(), _header, _rows, _expected,
                [.. columns.Select(c => c.ToProfile(_rows))], notes);
        }
    }

    /// <summary>One JSON object per line; blank lines are skipped. Top-level keys become columns in order of first appearance.</summary>
    private sealed class JsonLinesConsumer(ProfilingOptions options) : IConsumer
    {
        private readonly Dictionary<string, int> _keys = new(StringComparer.Ordinal);
        private readonly List<ColumnStats> _columns = [];
        private readonly List<long> _seenInRow = [];
        private readonly LineSplitter _splitter = new(options.MaxRecordBytes);
        private readonly JsonScratch _scratch = new();
        private long _rows;
        private bool _keysCapped;
        private bool _longKeys;

        public void Consume(ReadOnlySpan<byte> chunk) => _splitter.Consume(chunk, Line);

        public void Complete() => _splitter.Complete(Line);

        private void Line(ReadOnlySpan<byte> line)
        {
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                return;
            }

            _rows++;
            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 256 });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new ProfileFailedException($"Line {_splitter.LineNumber} is not a JSON object.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var column = Column(ref reader);
                    reader.Read();
                    var stats = column >= 0 && _seenInRow[column] != _rows ? _columns[column] : null;
                    if (stats is not null)
                    {
                        _seenInRow[column] = _rows;
                    }

                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject or JsonTokenType.StartArray:
                            reader.Skip();
                            stats?.AddJsonNested();
                            break;
                        case JsonTokenType.String:
                            if (stats is not null)
                            {
                                var text = _scratch.Unescaped(ref reader);
                                stats.AddJsonString(text, text.Length);
                            }

                            break;
                        case JsonTokenType.Number:
                            stats?.AddJsonNumber(reader.ValueSpan);
                            break;
                        case JsonTokenType.True or JsonTokenType.False:
                            stats?.AddJsonBoolean(reader.TokenType == JsonTokenType.True);
                            break;
                        default:
                            break;
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    throw new ProfileFailedException($"Line {_splitter.LineNumber} holds more than one JSON object.");
                }
            }
            catch (JsonException e)
            {
                throw new ProfileFailedException($"Line {_splitter.LineNumber} is not valid JSON: {e.Message}");
            }
        }

        private int Column(ref Utf8JsonReader reader)
        {
            // Keys repeat on every line: look them up in reused buffers without allocating a string; only a new
            // column's key becomes one, so allocation follows the columns kept, not the lines read.
            var utf8 = _scratch.Unescaped(ref reader);
            if (utf8.Length > ColumnStats.MaxNameBytes)
            {
                _longKeys = true;
                return -1;
            }

            var chars = _scratch.Chars(utf8);
            if (_keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var index))
            {
                return index;
            }

            if (_columns.Count >= options.MaxColumns)
            {
                _keysCapped = true;
                return -1;
            }

            var key = chars.ToString();
            _keys[key] = _columns.Count;
            _columns.Add(new ColumnStats(key));
            _seenInRow.Add(0);
            return _columns.Count - 1;
        }

        public ProfileResult Result()
        {
            var notes = new List<string>();
            if (_keysCapped)
            {
                notes.Add($"Keys beyond the first {options.MaxColumns} are not described.");
            }

            if (_longKeys)
            {
                notes.Add($"Keys longer than {ColumnStats.MaxNameBytes} bytes are not described.");
            }

            return new ProfileResult("jsonl", null, null, _rows, _columns.Count, [.. _columns.Select(c => c.ToProfile(_rows))], notes);
        }
    }
}
