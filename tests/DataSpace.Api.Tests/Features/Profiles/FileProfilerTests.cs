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

        public Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct) => Task.FromResult(Open());

        public Stream Open() => new LineStream(rows);

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

            public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

            // Completes synchronously, so a profile over it runs on the caller's thread and can be measured there.
            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                ValueTask.FromResult(Read(buffer.Span));

            public override int Read(Span<byte> buffer)
            {
                var written = 0;
                while (written < buffer.Length)
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

                    var n = Math.Min(buffer.Length - written, _current.Length - _at);
                    _current.AsSpan(_at, n).CopyTo(buffer[written..]);
                    _at += n;
                    written += n;
                }

                return written;
            }
        }
    }

    /// <summary>Bytes served by MemoryStreams, whose reads complete synchronously.</summary>
    private sealed class InMemory(byte[] content) : IProfileSource
    {
        public long Size => content.Length;

        public Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct) =>
            Task.FromResult<Stream>(new MemoryStream(content, (int)offset, (int)(length ?? content.Length - offset), writable: false));
    }

    /// <summary>
    /// Profiles on the test's own thread and counts only that thread's allocations: with sources whose reads complete
    /// synchronously the whole profile runs inside the call, which the completed task proves.
    /// </summary>
    private static (ProfileResult? Result, Exception? Error, long Allocated) Measure(IProfileSource source, ProfilingOptions options)
    {
        var profiler = new FileProfiler(options);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var task = profiler.ProfileAsync(source, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(task.IsCompleted, "the profile left the test's thread, so its allocations cannot be counted");
        return (task.IsCompletedSuccessfully ? task.Result : null, task.Exception?.InnerException, allocated);
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
    public async Task Numbers_read_on_the_fast_path_get_the_bounds_the_BCL_parsers_give()
    {
        // Up to 18 digits the profiler parses digits itself; longer values, and mantissas past 2^53 for doubles, go to the
        // BCL. The bounds (sign of zero, trailing zeros, rounding) must be those of long/decimal/double.Parse either way.
        string[] integers = ["+5", "-0", "999999999999999999", "-9223372036854775807", "42"];
        string[] decimals = ["0.10", "-0.00", "12.5", "-3", "123456789012.345678", "1234567890123456789.5", "-0.5"];
        string[] numbers = ["1e3", "0.1", "-2.50", "9007199254740993", "0.30000000000000004", "-0", "12345678.000000001"];
        var rows = Enumerable.Range(0, 7).Select(i => $"{integers[i % integers.Length]},{decimals[i]},{numbers[i]}");
        var p = await Profile("整数,小数,数\n" + string.Join('\n', rows) + "\n");

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var ints = integers.Select(v => long.Parse(v, inv)).ToList();
        var decs = decimals.Select(v => decimal.Parse(v, inv)).ToList();
        var dbls = numbers.Select(v => double.Parse(v, inv)).ToList();
        Assert.Equal(["integer", "decimal", "number"], p.Columns!.Select(c => c.Type));
        Assert.Equal((ints.Min().ToString(inv), ints.Max().ToString(inv)), (p.Columns![0].Min, p.Columns![0].Max));
        Assert.Equal((decs.Aggregate(decimal.MaxValue, Math.Min).ToString(inv), decs.Aggregate(decimal.MinValue, Math.Max).ToString(inv)),
            (p.Columns![1].Min, p.Columns![1].Max));
        Assert.Equal((19 + 6, 6), (p.Columns![1].Precision, p.Columns![1].Scale));
        Assert.Equal((dbls.Aggregate(double.PositiveInfinity, Math.Min).ToString("R", inv), dbls.Aggregate(double.NegativeInfinity, Math.Max).ToString("R", inv)),
            (p.Columns![2].Min, p.Columns![2].Max));
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
    public void A_generated_csv_streams_through_in_bounded_memory()
    {
        const long rows = 200_000;
        var source = new Generated(rows);
        var start = GC.GetAllocatedBytesForCurrentThread();
        using (var drain = source.Open())
        {
            drain.CopyTo(Stream.Null);
        }

        var generating = GC.GetAllocatedBytesForCurrentThread() - start;

        var (p, error, profiling) = Measure(source, Defaults);

        Assert.Null(error);
        Assert.Equal(rows, p!.RowCount);
        Assert.Equal(["integer", "string", "decimal", "date"], p.Columns!.Select(c => c.Type));
        Assert.Equal(("0", "199999"), (p.Columns![0].Min, p.Columns![0].Max));
        Assert.True(source.Size > 7_000_000, $"{source.Size} bytes");
        // The generator allocates each line; beyond that the profiler allocates a bounded amount, not per row or per byte.
        Assert.True(profiling - generating < 16 * 1024 * 1024, $"profiling allocated {profiling} bytes, generating alone {generating}");
    }

    [Fact]
    public void A_csv_record_of_a_million_fields_describes_only_the_first_columns_in_bounded_memory()
    {
        var header = string.Concat(Enumerable.Repeat("x,", 1_000_000));
        var content = Encoding.UTF8.GetBytes($"{header}y\n{string.Concat(Enumerable.Repeat("1,", 1_000_000))}2\n");

        var (p, error, allocated) = Measure(new InMemory(content), Defaults);

        Assert.Null(error);
        Assert.Equal((1_000_001, 1024), (p!.ColumnCount, p.Columns!.Count));
        Assert.Equal(["column_1", "column_2"], p.Columns!.Take(2).Select(c => c.Name));
        Assert.True(allocated < 4 * 1024 * 1024, $"profiling a {content.Length}-byte file allocated {allocated} bytes");
    }

    [Fact]
    public void Csv_header_names_are_cut_at_the_name_limit_on_a_character_boundary()
    {
        var content = Encoding.UTF8.GetBytes($"{new string('名', 2000)},b\n1,2\n");

        var (p, error, _) = Measure(new InMemory(content), Defaults);

        Assert.Null(error);
        Assert.Equal(ColumnStats.MaxNameBytes / 3, p!.Columns![0].Name.Length);
        Assert.Equal("b", p.Columns![1].Name);
    }

    [Fact]
    public void Json_lines_of_escaped_keys_and_values_allocate_per_column_not_per_line()
    {
        var value = string.Concat(Enumerable.Repeat("\\u00e9\\n", 100));
        var line = $"{{\"\\u0061\":\"{value}\",\"\\u0062\":1,\"{new string('k', 2000)}\":2}}\n";
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, 20_000)));

        var (p, error, allocated) = Measure(new InMemory(content), Defaults);

        Assert.Null(error);
        Assert.Equal(["a", "b"], p!.Columns!.Select(c => c.Name));
        Assert.Equal((200L, 200L), (p.Columns![0].MinLength, p.Columns![0].MaxLength));
        Assert.Contains(p.Notes, n => n.Contains("longer than 1024 bytes", StringComparison.Ordinal));
        Assert.True(allocated < 4 * 1024 * 1024, $"profiling a {content.Length}-byte file allocated {allocated} bytes");
    }

    /// <summary>A Parquet file whose footer's row_groups list holds <paramref name="count"/> empty structs, one byte each.</summary>
    private static byte[] EmptyRowGroupsBomb(int count)
    {
        var file = new List<byte>("PAR1"u8.ToArray()) { 0x49, 0xFC };
        for (var n = (uint)count; ; n >>= 7)
        {
            file.Add(n < 0x80 ? (byte)n : (byte)((n & 0x7F) | 0x80));
            if (n < 0x80)
            {
                break;
            }
        }

        file.AddRange(new byte[count + 1]);
        file.AddRange(BitConverter.GetBytes(file.Count - 4));
        file.AddRange("PAR1"u8.ToArray());
        return [.. file];
    }

    [Fact]
    public void A_parquet_footer_bomb_fails_the_profile_within_the_metadata_budget()
    {
        const long budget = 4 * 1024 * 1024;
        var content = EmptyRowGroupsBomb(2_000_000);

        var (_, error, allocated) = Measure(new InMemory(content), new ProfilingOptions { MaxParquetMetadataBytes = budget });

        var failed = Assert.IsType<ProfileFailedException>(error);
        Assert.Contains("MaxMetadataBytes", failed.Message, StringComparison.Ordinal);
        // The budget, two copies of the footer (the ranged read and the parser's), the read buffer: not 120 bytes per footer byte.
        Assert.True(allocated < budget + (2 * content.Length) + (2 * 1024 * 1024), $"profiling a {content.Length}-byte file allocated {allocated} bytes");
    }

    [Fact]
    public void A_parquet_footer_longer_than_the_setting_fails_before_it_is_read()
    {
        var content = new byte[20 * 1024 * 1024];
        "PAR1"u8.CopyTo(content);
        BitConverter.TryWriteBytes(content.AsSpan(content.Length - 8), content.Length - 12);
        "PAR1"u8.CopyTo(content.AsSpan(content.Length - 4));

        var (_, error, allocated) = Measure(new InMemory(content), Defaults);

        var failed = Assert.IsType<ProfileFailedException>(error);
        Assert.Contains("Profiling:MaxParquetFooterBytes", failed.Message, StringComparison.Ordinal);
        Assert.True(allocated < 2 * 1024 * 1024, $"profiling allocated {allocated} bytes");
    }
}
