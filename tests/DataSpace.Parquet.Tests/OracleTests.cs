using System.Text.Json;

namespace DataSpace.Parquet.Tests;

/// <summary>DuckDB and hyparquet read what we write; we read what DuckDB writes. One node process per matrix.</summary>
public sealed class OracleTests : IDisposable
{
    private const int Rows = 3000;
    private readonly string _dir = Directory.CreateTempSubdirectory("parquet-oracle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DuckDB_and_hyparquet_read_every_file_of_our_writer_matrix()
    {
        var files = new List<(string Path, IReadOnlyList<ParquetColumn> Schema, string Name)>();
        foreach (var (codec, dictionary, nullable) in RoundTripTests.Cells())
        {
            var schema = TestData.Schema(nullable);
            var options = RoundTripTests.Options(codec, dictionary);
            var name = $"ours_{codec}_{dictionary}_{(nullable ? "nullable" : "required")}";
            var path = Path.Combine(_dir, name + ".parquet");
            File.WriteAllBytes(path, TestData.Write(schema, Rows, new ParquetWriterOptions
            {
                Codec = options.Codec,
                Dictionary = options.Dictionary,
                DictionaryPageBytes = options.DictionaryPageBytes,
                PageBytes = options.PageBytes,
                RowGroupRows = 1000,
                KeyValueMetadata = options.KeyValueMetadata,
            }));
            files.Add((path, schema, name));
        }

        var empty = Path.Combine(_dir, "ours_empty.parquet");
        File.WriteAllBytes(empty, TestData.Write(TestData.Schema(true), 0, new ParquetWriterOptions()));
        files.Add((empty, TestData.Schema(true), "ours_empty"));

        var results = NodeOracle.Run(["read", .. files.Select(f => f.Path)]);
        Assert.Equal(files.Count, results.GetArrayLength());
        var i = 0;
        foreach (var result in results.EnumerateArray())
        {
            var (_, schema, name) = files[i++];
            var rows = name == "ours_empty" ? 0 : Rows;
            CheckDuckDb(name, schema, rows, result.GetProperty("duckdb"));
            CheckHyparquet(name, schema, rows, result.GetProperty("hyparquet"));
        }
    }

    private static void CheckDuckDb(string name, IReadOnlyList<ParquetColumn> schema, int rows, JsonElement duck)
    {
        Assert.False(duck.TryGetProperty("error", out var error), $"{name}: DuckDB failed: {error}");
        var columns = duck.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(schema.Select(c => c.Name), columns.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(schema.Select(DuckType), columns.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal(rows, duck.GetProperty("numRows").GetInt32());
        CheckValues(name + " (DuckDB)", schema, duck.GetProperty("rows"), decimalAsDouble: false);
    }

    private static void CheckHyparquet(string name, IReadOnlyList<ParquetColumn> schema, int rows, JsonElement hy)
    {
        Assert.False(hy.TryGetProperty("error", out var error), $"{name}: hyparquet failed: {error}");
        var columns = hy.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(schema.Select(c => c.Name), columns.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(schema.Select(HyType), columns.Select(c => $"{c.GetProperty("type").GetString()}/{c.GetProperty("logical").GetString()}"));
        Assert.Equal(schema.Select(c => c.Nullable ? "OPTIONAL" : "REQUIRED"), columns.Select(c => c.GetProperty("repetition").GetString()));
        Assert.Equal(rows, hy.GetProperty("numRows").GetInt32());
        Assert.Equal(ParquetWriter.CreatedBy, hy.GetProperty("createdBy").GetString());
        if (rows > 0)
        {
            Assert.Equal("数据空间", hy.GetProperty("keyValue").GetProperty("origin").GetString());
        }

        CheckValues(name + " (hyparquet)", schema, hy.GetProperty("rows"), decimalAsDouble: true);
    }

    private static void CheckValues(string name, IReadOnlyList<ParquetColumn> schema, JsonElement rows, bool decimalAsDouble)
    {
        var r = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var c = 0;
            foreach (var cell in row.EnumerateArray())
            {
                var expected = TestData.Value(schema[c], r, c);
                var oracle = cell.ValueKind == JsonValueKind.Null ? null : cell.GetString();
                Assert.True(TestData.MatchesOracle(expected, oracle, decimalAsDouble), $"{name}: row {r} column {schema[c].Name}: expected {TestData.Show(expected)}, oracle read {oracle ?? "null"}");
                c++;
            }

            r++;
        }
    }

    private static string DuckType(ParquetColumn c) => c.Type switch
    {
        ParquetType.Boolean => "BOOLEAN",
        ParquetType.Int32 => "INTEGER",
        ParquetType.Int64 => "BIGINT",
        ParquetType.Float => "FLOAT",
        ParquetType.Double => "DOUBLE",
        ParquetType.String => "VARCHAR",
        ParquetType.Binary => "BLOB",
        ParquetType.Date => "DATE",
        ParquetType.TimestampMillis or ParquetType.TimestampMicros => "TIMESTAMP WITH TIME ZONE",
        ParquetType.Decimal => $"DECIMAL({c.Precision},{c.Scale})",
        _ => "?",
    };

    private static string HyType(ParquetColumn c) => c.Type switch
    {
        ParquetType.Boolean => "BOOLEAN/",
        ParquetType.Int32 => "INT32/",
        ParquetType.Int64 => "INT64/",
        ParquetType.Float => "FLOAT/",
        ParquetType.Double => "DOUBLE/",
        ParquetType.String => "BYTE_ARRAY/STRING",
        ParquetType.Binary => "BYTE_ARRAY/",
        ParquetType.Date => "INT32/DATE",
        ParquetType.TimestampMillis or ParquetType.TimestampMicros => "INT64/TIMESTAMP",
        ParquetType.Decimal => "INT64/DECIMAL",
        _ => "?",
    };

    [Fact]
    public void Our_reader_reads_DuckDB_files_of_every_codec_and_refuses_ZSTD_by_name()
    {
        var written = NodeOracle.Run("write-duckdb", _dir, "5000");
        var checkedCodecs = new List<string>();
        foreach (var file in written.EnumerateArray())
        {
            var path = file.GetProperty("file").GetString()!;
            var codec = file.GetProperty("codec").GetString()!;
            using var stream = File.OpenRead(path);
            var meta = ParquetReader.ReadMetadata(stream);
            Assert.Equal(5000, meta.NumRows);
            Assert.True(meta.RowGroups.Count >= 2, $"{codec}: {meta.RowGroups.Count} row groups");
            Assert.Equal(codec.ToUpperInvariant(), meta.RowGroups[0].Columns[0].Codec);
            stream.Position = 0;
            if (codec == "zstd")
            {
                var e = Assert.Throws<ParquetNotSupportedException>(() => ParquetReader.ReadRows(stream).Count());
                Assert.Contains("ZSTD", e.Message, StringComparison.Ordinal);
                continue;
            }

            var duck = file.GetProperty("duckdb");
            var names = duck.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
            Assert.Equal(names, meta.Columns.Select(c => c.Path));
            var expectedRows = duck.GetProperty("rows").EnumerateArray().ToList();
            var r = 0;
            var rows = ParquetReader.ReadRows(stream).ToList();
            CheckStatistics(codec, meta, rows);
            foreach (var row in rows)
            {
                var expected = expectedRows[r].EnumerateArray().ToList();
                for (var c = 0; c < row.Length; c++)
                {
                    var oracle = expected[c].ValueKind == JsonValueKind.Null ? null : expected[c].GetString();
                    Assert.True(TestData.MatchesOracle(row[c], oracle, decimalAsDouble: false), $"{codec}: row {r} column {names[c]}: read {TestData.Show(row[c])}, DuckDB says {oracle ?? "null"}");
                }

                r++;
            }

            Assert.Equal(5000, r);
            checkedCodecs.Add(codec);
        }

        Assert.Equal(["snappy", "gzip", "uncompressed"], checkedCodecs);
    }

    [Fact]
    public void Our_reader_reads_DuckDB_format_v2_files_shows_nested_schemas_and_refuses_DELTA_and_nesting_by_name()
    {
        var written = NodeOracle.Run("write-duckdb-v2", _dir);
        foreach (var file in written.EnumerateArray())
        {
            var path = file.GetProperty("file").GetString()!;
            var name = file.GetProperty("name").GetString()!;
            using var stream = File.OpenRead(path);
            if (name == "nested")
            {
                var meta = ParquetReader.ReadMetadata(stream);
                Assert.Equal(["id", "point.x", "point.y", "pair.list.element"], meta.Columns.Select(c => c.Path));
                Assert.Contains(meta.Schema, f => f.Path == "point" && f.IsGroup);
                Assert.Contains(meta.Schema, f => f.Path == "pair.list" && f.Repetition == "REPEATED");
                Assert.Equal(["id", "point.x", "point.y", "pair.list.element"], meta.RowGroups[0].Columns.Select(c => c.Path));
                stream.Position = 0;
                var nested = Assert.Throws<ParquetNotSupportedException>(() => ParquetReader.ReadRows(stream).Count());
                Assert.Contains("nested column point.x", nested.Message, StringComparison.Ordinal);
                continue;
            }

            if (name == "v2_delta")
            {
                var e = Assert.Throws<ParquetNotSupportedException>(() => ParquetReader.ReadRows(stream).Count());
                Assert.Contains("DELTA_BINARY_PACKED", e.Message, StringComparison.Ordinal);
                continue;
            }

            CompareWithDuckDb(name, stream, file.GetProperty("duckdb"));
        }
    }

    [Fact]
    public void Our_reader_reads_hyparquet_writer_data_page_v2_files()
    {
        var written = NodeOracle.Run("write-hyparquet", _dir, "3000");
        Assert.Equal(2, written.GetArrayLength());
        foreach (var file in written.EnumerateArray())
        {
            var path = file.GetProperty("file").GetString()!;
            Assert.Equal(Internal.PageType.DataPageV2, FirstDataPageType(path));
            using var stream = File.OpenRead(path);
            CompareWithDuckDb(path, stream, file.GetProperty("duckdb"));
        }
    }

    /// <summary>DuckDB's chunk statistics, decoded by our reader, bound exactly the values of each row group.</summary>
    private static void CheckStatistics(string codec, ParquetMetadata meta, List<object?[]> rows)
    {
        var start = 0;
        var checkedBounds = 0;
        foreach (var group in meta.RowGroups)
        {
            var slice = rows.Skip(start).Take((int)group.NumRows).ToList();
            for (var c = 0; c < group.Columns.Count; c++)
            {
                var stats = group.Columns[c].Statistics;
                var values = slice.Select(row => row[c]).ToList();
                if (stats?.NullCount is long nulls)
                {
                    Assert.Equal(values.Count(v => v is null), nulls);
                }

                var present = values.Where(v => v is IComparable and not string and not bool).Cast<IComparable>().ToList();
                if (stats?.Min is IComparable min && stats.Max is IComparable max && present.Count > 0 && min.GetType() == present[0].GetType())
                {
                    Assert.Equal(0, present.Min()!.CompareTo(min));
                    Assert.Equal(0, present.Max()!.CompareTo(max));
                    checkedBounds++;
                }
            }

            start += (int)group.NumRows;
        }

        Assert.True(checkedBounds >= meta.RowGroups.Count * 5, $"{codec}: only {checkedBounds} statistics checked");
    }

    private static void CompareWithDuckDb(string name, Stream stream, JsonElement duck)
    {
        var expectedRows = duck.GetProperty("rows").EnumerateArray().ToList();
        var rows = ParquetReader.ReadRows(stream).ToList();
        Assert.Equal(expectedRows.Count, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var expected = expectedRows[r].EnumerateArray().ToList();
            for (var c = 0; c < rows[r].Length; c++)
            {
                var oracle = expected[c].ValueKind == JsonValueKind.Null ? null : expected[c].GetString();
                Assert.True(TestData.MatchesOracle(rows[r][c], oracle, decimalAsDouble: false), $"{name}: row {r} column {c}: read {TestData.Show(rows[r][c])}, DuckDB says {oracle ?? "null"}");
            }
        }
    }

    /// <summary>The page type of the first data page of the first column, read with the library's own Thrift reader.</summary>
    private static int FirstDataPageType(string path)
    {
        using var stream = File.OpenRead(path);
        var chunk = ParquetReader.ReadMetadata(stream).RowGroups[0].Columns[0];
        var bytes = File.ReadAllBytes(path).AsSpan((int)chunk.DataPageOffset);
        return new Internal.CompactReader(bytes, new Internal.ThriftBudget(1024 * 1024, 1024 * 1024)).ReadStruct("PageHeader").RequiredI32(1);
    }
}
