using System.Buffers.Binary;
using System.Globalization;
using DataSpace.Contracts.Versions;
using DataSpace.Parquet;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// Profiles a Parquet file from its footer alone: two ranged reads (the 8-byte tail, then the footer), never the data.
/// Rows, columns and types come from the schema; null counts and min/max from the row groups' column statistics.
/// </summary>
internal static class ParquetFooter
{
    public static async Task<ProfileResult> ProfileAsync(IProfileSource source, ProfilingOptions options, CancellationToken ct)
    {
        var tail = new byte[8];
        await using (var s = await source.OpenAsync(source.Size - 8, 8, ct))
        {
            await s.ReadExactlyAsync(tail, ct);
        }

        // Checked before the footer is read into memory: the length is the file's claim, not a fact.
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > source.Size - 12)
        {
            throw new ProfileFailedException($"The Parquet footer length {footerLength} is impossible for a file of {source.Size} bytes.");
        }

        if (footerLength > options.MaxParquetFooterBytes)
        {
            throw new ProfileFailedException($"The Parquet footer of {footerLength} bytes is above the {options.MaxParquetFooterBytes} bytes profiled (Profiling:MaxParquetFooterBytes).");
        }

        var footer = new byte[footerLength + 8];
        await using (var s = await source.OpenAsync(source.Size - footer.Length, footer.Length, ct))
        {
            await s.ReadExactlyAsync(footer, ct);
        }

        ParquetMetadata meta;
        try
        {
            meta = ParquetReader.ReadMetadata(new TailStream(source.Size, footer), Limits(options));
        }
        catch (Exception e) when (e is ParquetFormatException or ParquetNotSupportedException)
        {
            throw new ProfileFailedException($"The Parquet footer cannot be read: {e.Message}");
        }

        var leaves = meta.Columns;
        var described = leaves.Take(options.MaxColumns).ToList();
        var ranges = Ranges(described, meta);
        var columns = described.Select((f, i) => Column(f, ranges[i], meta.NumRows)).ToList();
        var notes = new List<string>();
        if (leaves.Count > columns.Count)
        {
            notes.Add($"Only the first {columns.Count} of {leaves.Count} columns are described.");
        }

        if (meta.RowGroups.Any(g => g.Columns.Any(c => c.Statistics?.NullCount is null)))
        {
            notes.Add("Some row groups carry no null counts: null counts are lower bounds.");
        }

        return new ProfileResult("parquet", null, null, meta.NumRows, leaves.Count, columns, notes);
    }

    /// <summary>The reader's limits under the profiler's settings: footers beyond them fail the profile with the limit's name.</summary>
    internal static ParquetReadLimits Limits(ProfilingOptions options) => ParquetReadLimits.Default with
    {
        MaxFooterBytes = options.MaxParquetFooterBytes,
        MaxMetadataBytes = options.MaxParquetMetadataBytes,
        MaxBinaryBytes = Math.Min(ParquetReadLimits.Default.MaxBinaryBytes, options.MaxParquetFooterBytes),
    };

    /// <summary>What the row groups' statistics say about one described column.</summary>
    private sealed class Range
    {
        public long Nulls { get; set; }
        public object? Min { get; set; }
        public object? Max { get; set; }
        public bool Complete { get; set; } = true;
        public long SeenInGroup { get; set; } = -1;
    }

    /// <summary>
    /// One pass over every row group's chunks (the first chunk of a path in a group counts), so the work is
    /// row groups × chunks, not that times the columns described.
    /// </summary>
    private static Range[] Ranges(List<ParquetField> described, ParquetMetadata meta)
    {
        var ranges = new Range[described.Count];
        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < described.Count; i++)
        {
            ranges[i] = new Range { Complete = meta.RowGroups.Count > 0 };
            byPath.TryAdd(described[i].Path, i);
        }

        for (var g = 0; g < meta.RowGroups.Count; g++)
        {
            foreach (var chunk in meta.RowGroups[g].Columns)
            {
                if (!byPath.TryGetValue(chunk.Path, out var i) || ranges[i].SeenInGroup == g)
                {
                    continue;
                }

                var range = ranges[i];
                range.SeenInGroup = g;
                var stats = chunk.Statistics;
                range.Nulls += stats?.NullCount ?? 0;
                if (stats?.Min is not IComparable lo || stats.Max is not IComparable hi)
                {
                    // A row group without statistics (or only nulls): the range is unknown unless every group has one.
                    range.Complete &= stats is not null && stats.NullCount is { } n && n > 0 && stats.Min is null;
                    continue;
                }

                range.Min = range.Min is null || lo.CompareTo(range.Min) < 0 ? lo : range.Min;
                range.Max = range.Max is null || hi.CompareTo(range.Max) > 0 ? hi : range.Max;
            }

            foreach (var range in ranges)
            {
                // A group without a chunk for the column leaves its range unknown.
                range.Complete &= range.SeenInGroup == g;
            }
        }

        return ranges;
    }

    private static ColumnProfile Column(ParquetField field, Range range, long numRows)
    {
        var nulls = range.Nulls;
        var type = field.Type switch
        {
            ParquetType.Boolean => "boolean",
            ParquetType.Int32 or ParquetType.Int64 => "integer",
            ParquetType.Float or ParquetType.Double => "number",
            ParquetType.Decimal => "decimal",
            ParquetType.String => "string",
            ParquetType.Date => "date",
            ParquetType.TimestampMillis or ParquetType.TimestampMicros => "timestamp",
            _ => "binary",
        };

        var ranged = range.Complete && type is "integer" or "number" or "decimal" or "date" or "timestamp";
        return new ColumnProfile
        {
            Name = field.Path,
            Type = type,
            NullCount = nulls,
            NullRatio = numRows == 0 ? 0 : Math.Round((double)nulls / numRows, 6),
            Min = ranged ? Text(range.Min) : null,
            Max = ranged ? Text(range.Max) : null,
            Precision = type == "decimal" ? field.Precision : null,
            Scale = type == "decimal" ? field.Scale : null,
        };
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z",
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        float x => x.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A read-only seekable view of a file of which only the leading magic and the last bytes (the footer) are held; reading elsewhere is a bug.</summary>
    private sealed class TailStream(long length, byte[] tail) : Stream
    {
        private readonly long _tailStart = length - tail.Length;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Position >= length || buffer.IsEmpty)
            {
                return 0;
            }

            if (Position < 4)
            {
                // The leading magic, already checked by the sniffer.
                var m = (int)Math.Min(buffer.Length, 4 - Position);
                "PAR1"u8.Slice((int)Position, m).CopyTo(buffer);
                Position += m;
                return m;
            }

            if (Position < _tailStart)
            {
                throw new ParquetFormatException($"The footer points at byte {Position}, before the footer itself.");
            }

            var n = (int)Math.Min(buffer.Length, length - Position);
            tail.AsSpan((int)(Position - _tailStart), n).CopyTo(buffer);
            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
