using System.Text;
using DataSpace.Api.Features.Profiles;

namespace DataSpace.Api.Tests.Features.Profiles;

/// <summary>The sniffer, the streaming reader and type inference on edge cases, without a server.</summary>
public sealed class FileProfilerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ProfilingOptions Defaults = new();

    /// <summary>Bytes served by a stream that returns at most <paramref name="step"/> bytes per read, to cut every construct at a chunk edge.</summary>
    private sealed class Bytes(byte[] content, int step = int.MaxValue) : IProfileSource
    {
        public long Size => content.Length;

        public Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct) =>
            Task.FromResult<Stream>(new Trickle(new MemoryStream(content, (int)offset, (int)(length ?? content.Length - offset)), step));
    }

    private sealed class Trickle(Stream inner, int step) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, step));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A generated CSV of <paramref name="rows"/> rows that is never held in memory.</summary>
    private sealed class Generated(long rows) : IProfileSource
    {
        private static readonly byte[] Header = "编号,城市,金额,日期\n"u8.ToArray();

        public long Size { get; } = Header.Length + Measure(rows);

        private static long Measure(long rows)
        {
            long total = 0;
            for (long i = 0; i < rows; i++)
            {
                total += Line(i).Length;
            }

            return total;
        }

        internal static byte[] Line(long i) => Encoding.UTF8.GetBytes($"{i},\"中山,{i % 7}区\",{i % 1000}.{i % 100:00},2025-{(i % 12) + 1:00}-{(i % 28) + 1:00}\n");

        public Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct) => Task.FromResult<Stream>(new LineStream(rows));

        private sealed class LineStream(long rows) : Stream
        {
            private long _next = -1;
            private byte[] _current = Header;
            private int _at;

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override int Read(byte[] buffer, int offset, int count)
            {
                var written = 0;
                while (written < count)
                {
                    if (_at == _current.Length)
                    {
                        if (++_next >= rows)
                        {
                            break;
                        }

                        _current = Line(_next);
                        _at = 0;
                    }

                    var n = Math.Min(count - written, _current.Length - _at);
                    _current.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset + written));
                    _at += n;
                    written += n;
                }

                return written;
            }
        }
    }

    private static Task<ProfileResult> Profile(string text, int step = int.MaxValue, ProfilingOptions? options = null) =>
        Profile(Encoding.UTF8.GetBytes(text), step, options);

    private static Task<ProfileResult> Profile(byte[] content, int step = int.MaxValue, ProfilingOptions? options = null) =>
        new FileProfiler(options ?? Defaults).ProfileAsync(new Bytes(content, step), Ct);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Every_construct_cut_at_a_chunk_edge_reads_the_same(int step)
    {
        const string csv = "\uFEFF名称,\"说明\",金额\r\n\"灯,具\",\"一行\n二行\"\"引\"\"\",1.25\r\n扇,,-3\r\n\r\n\"\",普通,0\r\n";
        var whole = await Profile(csv);
        var trickled = await Profile(csv, step);

        Assert.Equal(3, whole.RowCount);
        Assert.Equal(["名称", "说明", "金额"], whole.Columns!.Select(c => c.Name));
        Assert.Equal("decimal", whole.Columns![2].Type);
        Assert.Equal(("-3", "1.25"), (whole.Columns![2].Min, whole.Columns![2].Max));
        Assert.Equal(1, whole.Columns![0].NullCount);
        Assert.Equal(whole.Columns, trickled.Columns);
        Assert.Equal(whole.RowCount, trickled.RowCount);
    }

    [Fact]
    public async Task A_file_without_a_header_names_columns_by_position()
    {
        var p = await Profile("1,2025-01-01,3.5\n2,2025-02-01,4\n");
        Assert.False(p.Header);
        Assert.Equal(2, p.RowCount);
        Assert.Equal(["column_1", "column_2", "column_3"], p.Columns!.Select(c => c.Name));
        Assert.Equal(["integer", "date", "decimal"], p.Columns!.Select(c => c.Type));
    }

    [Fact]
    public async Task Leading_zeros_keep_identifiers_as_strings_and_large_numbers_widen()
    {
        var p = await Profile("邮编,大数,科学,时间\n528400,12345678901234567890,1e5,2025-01-01 08:00\n007,1,2.5E-3,2025-01-01T09:30:00.125\n");
        Assert.Equal(["string", "decimal", "number", "timestamp"], p.Columns!.Select(c => c.Type));
        Assert.Equal(("2025-01-01T08:00:00", "2025-01-01T09:30:00.125"), (p.Columns![3].Min, p.Columns![3].Max));
        Assert.Equal((20, 0), (p.Columns![1].Precision, p.Columns![1].Scale));
    }

    [Fact]
    public async Task Duplicate_and_empty_header_names_are_made_unique()
    {
        var p = await Profile("a,a,,名称\nx,y,z,w\n");
        Assert.Equal(["a", "a_2", "column_3", "名称"], p.Columns!.Select(c => c.Name));
    }

    [Fact]
    public async Task A_quote_that_never_closes_fails_at_the_record_cap_instead_of_reading_on()
    {
        var text = "a,b\n1,\"open\n" + string.Concat(Enumerable.Repeat("2,3\n", 1000));
        var e = await Assert.ThrowsAsync<ProfileFailedException>(() => Profile(text, options: new ProfilingOptions { MaxRecordBytes = 1024 }));
        Assert.Contains("longer than 1024 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wide_files_describe_the_first_columns_and_count_all()
    {
        var header = string.Join(',', Enumerable.Range(0, 50).Select(i => $"c{i}"));
        var row = string.Join(',', Enumerable.Range(0, 50));
        var p = await Profile($"{header}\n{row}\n", options: new ProfilingOptions { MaxColumns = 10 });
        Assert.Equal(50, p.ColumnCount);
        Assert.Equal(10, p.Columns!.Count);
        Assert.Contains(p.Notes, n => n.Contains("first 10 of 50", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Long_fields_are_kept_short_and_counted_whole()
    {
        var big = new string('长', 100_000);
        var p = await Profile($"t\n{big}\n短\n", options: new ProfilingOptions { MaxFieldBytes = 1024 });
        Assert.Equal(("string", 1L), (p.Columns![0].Type, p.Columns![0].MinLength));
        Assert.True(p.Columns![0].MaxLength >= 100_000);
    }

    [Fact]
    public async Task Invalid_UTF8_after_the_first_chunk_fails_with_its_offset()
    {
        var good = Encoding.UTF8.GetBytes("a,b\n" + string.Concat(Enumerable.Repeat("中山,1\n", 20_000)));
        var content = (byte[])[.. good, 0xC3, 0x28, (byte)'\n'];
        var e = await Assert.ThrowsAsync<ProfileFailedException>(() => Profile(content));
        Assert.Contains($"at byte {good.Length}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_column_text_file_is_a_one_column_csv()
    {
        var p = await Profile("城市\n中山\n珠海\n");
        Assert.Equal(("csv", 2L, 1), (p.Format, p.RowCount, p.ColumnCount));
    }

    [Fact]
    public async Task Json_lines_reject_arrays_and_accept_escaped_keys()
    {
        var ok = await Profile("{\"\\u540d\": \"x\"}\n{\"名\": \"y\"}\r\n");
        Assert.Equal(["名"], ok.Columns!.Select(c => c.Name));
        Assert.Equal(0, ok.Columns![0].NullCount);
        var e = await Assert.ThrowsAsync<ProfileFailedException>(() => Profile("{\"a\":1}\n[1,2]\n"));
        Assert.Contains("Line 2 is not a JSON object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generated_csv_streams_through_in_bounded_memory()
    {
        const long rows = 200_000;
        var source = new Generated(rows);
        var start = GC.GetTotalAllocatedBytes(precise: true);
        await using (var drain = await source.OpenAsync(0, null, Ct))
        {
            await drain.CopyToAsync(Stream.Null, Ct);
        }

        var generating = GC.GetTotalAllocatedBytes(precise: true) - start;
        start = GC.GetTotalAllocatedBytes(precise: true);

        var p = await new FileProfiler(Defaults).ProfileAsync(source, Ct);
        var profiling = GC.GetTotalAllocatedBytes(precise: true) - start;

        Assert.Equal(rows, p.RowCount);
        Assert.Equal(["integer", "string", "decimal", "date"], p.Columns!.Select(c => c.Type));
        Assert.Equal(("0", "199999"), (p.Columns![0].Min, p.Columns![0].Max));
        Assert.True(source.Size > 7_000_000, $"{source.Size} bytes");
        // The generator allocates each line; beyond that the profiler allocates a bounded amount, not per row or per byte.
        Assert.True(profiling - generating < 16 * 1024 * 1024, $"profiling allocated {profiling} bytes, generating alone {generating}");
    }
}
