using System.Buffers.Binary;

namespace DataSpace.Parquet.Tests;

/// <summary>
/// Footers built to cost memory: each read runs synchronously on the test's thread, and only that thread's
/// allocations are counted, so the budget measures this parse and nothing else running in parallel.
/// </summary>
public sealed class HostileFooterTests
{
    /// <summary>A FileMetaData whose row_groups (field 4) is a list of <paramref name="count"/> empty structs: one byte each.</summary>
    private static byte[] EmptyStructBomb(int count)
    {
        var footer = new List<byte> { 0x49, 0xFC };
        AddVarint(footer, (uint)count);
        footer.AddRange(new byte[count]);
        footer.Add(0x00);
        return [.. footer];
    }

    private static void AddVarint(List<byte> bytes, uint n)
    {
        for (; n >= 0x80; n >>= 7)
        {
            bytes.Add((byte)((n & 0x7F) | 0x80));
        }

        bytes.Add((byte)n);
    }

    private static (Exception? Error, long Allocated) Measure(Stream stream, ParquetReadLimits? limits)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = null;
        try
        {
            ParquetReader.ReadMetadata(stream, limits);
        }
        catch (ParquetFormatException e)
        {
            error = e;
        }

        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_footer_of_millions_of_empty_structs_stops_at_the_metadata_budget()
    {
        const long budget = 4 * 1024 * 1024;
        var file = FuzzTests.WithFooter(EmptyStructBomb(2_000_000));
        using var stream = new MemoryStream(file, writable: false);

        var (error, allocated) = Measure(stream, ParquetReadLimits.Default with { MaxMetadataBytes = budget });

        Assert.IsType<ParquetLimitExceededException>(error);
        Assert.Contains("MaxMetadataBytes", error.Message, StringComparison.Ordinal);
        // The budget, plus one copy of the footer's bytes, plus a little: not ~120 bytes per footer byte.
        Assert.True(allocated < budget + file.Length + (1024 * 1024), $"reading allocated {allocated} bytes for a {file.Length}-byte file");
    }

    [Fact]
    public void A_declared_footer_length_above_the_limit_fails_before_the_footer_is_read()
    {
        using var stream = new ClaimedLength(900 * 1024 * 1024);

        var (error, allocated) = Measure(stream, null);

        Assert.IsType<ParquetLimitExceededException>(error);
        Assert.Contains("MaxFooterBytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"reading allocated {allocated} bytes");
    }

    [Fact]
    public void A_binary_value_above_the_limit_fails_before_it_is_copied()
    {
        // FileMetaData.created_by (field 6, binary) of 3 MiB.
        const uint length = 3 * 1024 * 1024;
        var footer = new List<byte> { 0x68 };
        AddVarint(footer, length);
        footer.AddRange(new byte[(int)length]);
        footer.Add(0x00);
        var file = FuzzTests.WithFooter([.. footer]);
        using var stream = new MemoryStream(file, writable: false);

        var (error, allocated) = Measure(stream, ParquetReadLimits.Default with { MaxBinaryBytes = 1024 * 1024 });

        Assert.IsType<ParquetLimitExceededException>(error);
        Assert.Contains("MaxBinaryBytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < file.Length + (256 * 1024), $"reading allocated {allocated} bytes for a {file.Length}-byte file");
    }

    [Fact]
    public void A_real_file_reads_within_the_default_limits()
    {
        var file = TestData.Write(TestData.Schema(nullable: true), 500, new ParquetWriterOptions { RowGroupRows = 100 });
        using var stream = new MemoryStream(file, writable: false);

        var meta = ParquetReader.ReadMetadata(stream);

        Assert.Equal(500, meta.NumRows);
        Assert.Equal(5, meta.RowGroups.Count);
    }

    /// <summary>A seekable stream of <paramref name="length"/> bytes, never held: zeros, magic at both ends, and a tail claiming a footer of almost the whole file.</summary>
    private sealed class ClaimedLength(long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - Position);
            Span<byte> tail = stackalloc byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(tail, (int)(length - 12));
            "PAR1"u8.CopyTo(tail[4..]);
            for (var i = 0; i < n; i++)
            {
                var at = Position + i;
                buffer[i] = at < 4 ? "PAR1"u8[(int)at] : at >= length - 8 ? tail[(int)(at - (length - 8))] : (byte)0;
            }

            Position += n;
            return n;
        }
    }
}
