namespace DataSpace.Parquet.Tests;

public sealed class RoundTripTests
{
    internal static IEnumerable<(ParquetCodec Codec, string Dictionary, bool Nullable)> Cells() =>
        from codec in Enum.GetValues<ParquetCodec>()
        from dictionary in new[] { "plain", "dictionary", "fallback" }
        from nullable in new[] { true, false }
        select (codec, dictionary, nullable);

    public static TheoryData<ParquetCodec, string, bool> Matrix()
    {
        var data = new TheoryData<ParquetCodec, string, bool>();
        foreach (var (codec, dictionary, nullable) in Cells())
        {
            data.Add(codec, dictionary, nullable);
        }

        return data;
    }

    internal static ParquetWriterOptions Options(ParquetCodec codec, string dictionary) => new()
    {
        Codec = codec,
        RowGroupRows = 1500,
        PageBytes = 2048,
        Dictionary = dictionary != "plain",
        DictionaryPageBytes = dictionary == "fallback" ? 600 : 1024 * 1024,
        KeyValueMetadata = new Dictionary<string, string> { ["origin"] = "数据空间", ["codec"] = codec.ToString() },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Every_type_round_trips_with_statistics(ParquetCodec codec, string dictionary, bool nullable)
    {
        const int rows = 4000;
        var schema = TestData.Schema(nullable);
        var file = TestData.Write(schema, rows, Options(codec, dictionary));

        var read = TestData.ReadAll(file);
        Assert.Equal(rows, read.Count);
        for (var r = 0; r < rows; r++)
        {
            var expected = TestData.Row(schema, r);
            for (var c = 0; c < schema.Count; c++)
            {
                Assert.True(TestData.Same(expected[c], read[r][c]), $"row {r} column {schema[c].Name}: expected {TestData.Show(expected[c])}, read {TestData.Show(read[r][c])}");
            }
        }

        using var ms = new MemoryStream(file);
        var meta = ParquetReader.ReadMetadata(ms);
        Assert.Equal(rows, meta.NumRows);
        Assert.Equal(ParquetWriter.CreatedBy, meta.CreatedBy);
        Assert.Equal("数据空间", meta.KeyValueMetadata["origin"]);
        Assert.Equal([1500L, 1500L, 1000L], meta.RowGroups.Select(g => g.NumRows));
        Assert.Equal(schema.Select(c => c.Name), meta.Columns.Select(c => c.Path));
        Assert.Equal(schema.Select(c => (ParquetType?)c.Type), meta.Columns.Select(c => c.Type));
        Assert.All(meta.Columns, c => Assert.Equal(nullable ? "OPTIONAL" : "REQUIRED", c.Repetition));

        var start = 0;
        foreach (var group in meta.RowGroups)
        {
            for (var c = 0; c < schema.Count; c++)
            {
                var values = Enumerable.Range(start, (int)group.NumRows).Select(r => TestData.Value(schema[c], r, c)).ToList();
                var chunk = group.Columns[c];
                Assert.Equal(codec.ToString().ToUpperInvariant(), chunk.Codec);
                Assert.Equal(group.NumRows, chunk.NumValues);
                var stats = chunk.Statistics!;
                Assert.Equal(values.Count(v => v is null), stats.NullCount);
                var nonNull = values.Where(v => v is not null).ToList();
                var sorted = nonNull.Order(ValueOrder.Instance).ToList();
                Assert.True(TestData.Same(sorted[0], stats.Min), $"min of {schema[c].Name}: expected {TestData.Show(sorted[0])}, got {TestData.Show(stats.Min)}");
                Assert.True(TestData.Same(sorted[^1], stats.Max), $"max of {schema[c].Name}: expected {TestData.Show(sorted[^1])}, got {TestData.Show(stats.Max)}");
            }

            start += (int)group.NumRows;
        }
    }

    [Fact]
    public void Dictionary_falls_back_to_plain_when_it_outgrows_its_page_limit()
    {
        var schema = TestData.Schema(nullable: true);
        var file = TestData.Write(schema, 4000, Options(ParquetCodec.Snappy, "fallback"));
        using var ms = new MemoryStream(file);
        var meta = ParquetReader.ReadMetadata(ms);

        var unique = meta.RowGroups[0].Columns.Single(c => c.Path == "unique_text");
        Assert.Contains("RLE_DICTIONARY", unique.Encodings);
        Assert.Contains("PLAIN", unique.Encodings);
        Assert.NotNull(unique.DictionaryPageOffset);
        var small = meta.RowGroups[0].Columns.Single(c => c.Path == "c_int32");
        Assert.Contains("RLE_DICTIONARY", small.Encodings);
        var boolean = meta.RowGroups[0].Columns.Single(c => c.Path == "c_boolean");
        Assert.DoesNotContain("RLE_DICTIONARY", boolean.Encodings);
        Assert.Null(boolean.DictionaryPageOffset);
    }

    [Fact]
    public void A_dictionary_that_overflowed_or_did_not_pay_is_not_tried_again_in_later_row_groups()
    {
        ParquetColumn[] schema =
        [
            new("few", ParquetType.String, Nullable: false), // 7 distinct values: the dictionary pays in every group
            new("wide", ParquetType.String, Nullable: false), // unique, long: overflows a 4 KiB dictionary in the first group
            new("id", ParquetType.Int64, Nullable: false), // unique 8-byte values: fits the dictionary, which does not pay
        ];
        using var ms = new MemoryStream();
        using (var writer = new ParquetWriter(ms, schema, new ParquetWriterOptions { RowGroupRows = 1000, DictionaryPageBytes = 4096 }, leaveOpen: true))
        {
            for (var i = 0; i < 3000; i++)
            {
                writer.WriteRow($"kind-{i % 7}", $"row {i} {new string('x', 40)}", i * 1_000_003L);
            }
        }

        ms.Position = 0;
        var meta = ParquetReader.ReadMetadata(ms);

        Assert.Equal(3, meta.RowGroups.Count);
        Assert.All(meta.RowGroups, g => Assert.Contains("RLE_DICTIONARY", g.Columns[0].Encodings));
        foreach (var column in new[] { 1, 2 })
        {
            Assert.NotNull(meta.RowGroups[0].Columns[column].DictionaryPageOffset);
            Assert.All(meta.RowGroups.Skip(1), g =>
            {
                Assert.Null(g.Columns[column].DictionaryPageOffset);
                Assert.DoesNotContain("RLE_DICTIONARY", g.Columns[column].Encodings);
            });
        }

        ms.Position = 0;
        var rows = ParquetReader.ReadRows(ms).ToList();
        Assert.Equal(3000, rows.Count);
        Assert.Equal(["kind-3", "row 2999 " + new string('x', 40), 2999 * 1_000_003L], rows[^1]);
    }

    [Fact]
    public void Pages_split_by_page_bytes_and_row_groups_by_bytes()
    {
        var schema = new[] { new ParquetColumn("v", ParquetType.Int64, Nullable: false) };
        var options = new ParquetWriterOptions { Codec = ParquetCodec.Uncompressed, Dictionary = false, PageBytes = 1000, RowGroupBytes = 40_000 };
        using var ms = new MemoryStream();
        using (var w = new ParquetWriter(ms, schema, options, leaveOpen: true))
        {
            for (var i = 0L; i < 20_000; i++)
            {
                w.Write(i);
                w.EndRow();
            }
        }

        ms.Position = 0;
        var meta = ParquetReader.ReadMetadata(ms);
        Assert.True(meta.RowGroups.Count >= 4, $"{meta.RowGroups.Count} row groups");
        Assert.All(meta.RowGroups, g => Assert.True(g.TotalByteSize < 60_000));
        Assert.Equal(20_000, meta.RowGroups.Sum(g => g.NumRows));
        ms.Position = 0;
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (object?)(long)i), ParquetReader.ReadRows(ms).Select(r => r[0]));
    }

    [Fact]
    public void Empty_file_has_schema_and_no_rows()
    {
        var schema = TestData.Schema(nullable: true);
        var file = TestData.Write(schema, 0, new ParquetWriterOptions());
        Assert.Empty(TestData.ReadAll(file));
        using var ms = new MemoryStream(file);
        var meta = ParquetReader.ReadMetadata(ms);
        Assert.Equal(0, meta.NumRows);
        Assert.Empty(meta.RowGroups);
        Assert.Equal(schema.Count, meta.Columns.Count);
    }

    [Fact]
    public async Task Writer_streams_to_a_non_seekable_stream_and_flushes_row_groups_on_request()
    {
        var schema = new[] { new ParquetColumn("name", ParquetType.String), new ParquetColumn("n", ParquetType.Int32, Nullable: false) };
        var sink = new ForwardOnlyStream();
        await using (var w = new ParquetWriter(sink, schema, leaveOpen: true))
        {
            w.Write("甲");
            w.Write(1);
            w.EndRow();
            await w.FlushRowGroupAsync(TestContext.Current.CancellationToken);
            w.WriteNull();
            w.Write(2);
            w.EndRow();
            Assert.Equal(2, w.RowCount);
            await w.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var file = sink.ToArray();
        using var ms = new MemoryStream(file);
        Assert.Equal(2, ParquetReader.ReadMetadata(ms).RowGroups.Count);
        var rows = TestData.ReadAll(file);
        Assert.Equal(new object?[] { "甲", 1 }, rows[0]);
        Assert.Equal(new object?[] { null, 2 }, rows[1]);
    }

    [Fact]
    public async Task EndRowAsync_writes_full_row_groups_to_an_output_that_refuses_synchronous_writes()
    {
        var schema = new[] { new ParquetColumn("n", ParquetType.Int64, Nullable: false) };
        var sink = new ForwardOnlyStream(refuseSynchronousWrites: true);
        await using (var w = new ParquetWriter(sink, schema, new ParquetWriterOptions { RowGroupRows = 10 }, leaveOpen: true))
        {
            for (var i = 0L; i < 25; i++)
            {
                w.Write(i);
                await w.EndRowAsync(TestContext.Current.CancellationToken);
            }

            await w.CompleteAsync(TestContext.Current.CancellationToken);
        }

        var file = sink.ToArray();
        using var ms = new MemoryStream(file);
        Assert.Equal([10L, 10, 5], ParquetReader.ReadMetadata(ms).RowGroups.Select(g => g.NumRows));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (object?)(long)i), TestData.ReadAll(file).Select(r => r[0]));
    }

    [Fact]
    public void String_bounds_count_repeated_dictionary_values_per_row_group_and_after_a_fallback_inside_a_chunk()
    {
        // The writer compares only values new to the chunk's dictionary: a repeat of an earlier group's bound must not leak
        // into the next group, and values after a fallback to PLAIN inside a chunk (tiny dictionary page) must all count.
        var schema = new[] { new ParquetColumn("s", ParquetType.String, Nullable: false) };
        string[][] groups =
        [
            [.. Enumerable.Range(0, 40).Select(i => new[] { "b", "一", "a" }[i % 3])],
            [.. Enumerable.Range(0, 40).Select(i => new[] { "d", "c" }[i % 2])],
            [.. Enumerable.Range(0, 40).Select(i => i < 10 ? "m" : i < 30 ? $"k{i:D2}" : i % 2 == 0 ? "𠀀" : "0")],
        ];
        using var ms = new MemoryStream();
        using (var w = new ParquetWriter(ms, schema, new ParquetWriterOptions { RowGroupRows = 40, DictionaryPageBytes = 48 }, leaveOpen: true))
        {
            foreach (var v in groups.SelectMany(g => g))
            {
                w.WriteRow(v);
            }
        }

        ms.Position = 0;
        var meta = ParquetReader.ReadMetadata(ms);
        Assert.Equal(3, meta.RowGroups.Count);
        Assert.Equal(["a", "c", "0"], meta.RowGroups.Select(g => g.Columns[0].Statistics?.Min));
        Assert.Equal(["一", "d", "𠀀"], meta.RowGroups.Select(g => g.Columns[0].Statistics?.Max));
        Assert.Equal(groups.SelectMany(g => g), TestData.ReadAll(ms.ToArray()).Select(r => (string?)r[0]));
    }

    [Fact]
    public void Wrong_types_and_misfit_values_are_rejected_without_writing_half_a_row()
    {
        var schema = new[]
        {
            new ParquetColumn("id", ParquetType.Int64, Nullable: false),
            new ParquetColumn("amount", ParquetType.Decimal, Precision: 5, Scale: 2),
        };
        using var ms = new MemoryStream();
        using (var w = new ParquetWriter(ms, schema, leaveOpen: true))
        {
            Assert.Throws<ArgumentException>(() => w.Write("text"));
            Assert.Throws<ArgumentException>(() => w.WriteNull());
            Assert.Throws<ArgumentException>(() => w.WriteRow(1L, 1000.00m));
            Assert.Throws<ArgumentException>(() => w.WriteRow(1L, 1.001m));
            Assert.Throws<ArgumentException>(() => w.WriteRow(1.5, 1m));
            w.WriteRow(7L, 999.99m);
            w.Write(8L);
            Assert.Throws<ArgumentException>(() => w.Write(-1000m));
            w.Write(-999.99m);
            w.EndRow();
            w.Write(9L);
            Assert.Throws<InvalidOperationException>(w.EndRow);
            w.WriteNull();
            w.EndRow();
        }

        var rows = TestData.ReadAll(ms.ToArray());
        Assert.Equal(3, rows.Count);
        Assert.Equal(new object?[] { 7L, 999.99m }, rows[0]);
        Assert.Equal(new object?[] { 8L, -999.99m }, rows[1]);
        Assert.Equal(new object?[] { 9L, null }, rows[2]);
    }

    private sealed class ValueOrder : IComparer<object?>
    {
        public static readonly ValueOrder Instance = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (string a, string b) => System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)),
            (byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b),
            (IComparable a, _) => a.CompareTo(y),
            _ => 0,
        };
    }

    /// <summary>A write-only stream that cannot seek; with <paramref name="refuseSynchronousWrites"/>, like an ASP.NET Core
    /// response body, synchronous writes and flushes throw.</summary>
    private sealed class ForwardOnlyStream(bool refuseSynchronousWrites = false) : Stream
    {
        private readonly MemoryStream _inner = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] ToArray() => _inner.ToArray();

        public override void Flush() => RefuseSynchronous();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            RefuseSynchronous();
            _inner.Write(buffer, offset, count);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _inner.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void RefuseSynchronous()
        {
            if (refuseSynchronousWrites)
            {
                throw new InvalidOperationException("Synchronous operations are disallowed.");
            }
        }
    }
}
