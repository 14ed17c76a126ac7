using System.Text;

namespace DataSpace.Parquet.Tests;

/// <summary>
/// String min/max statistics in the order Parquet specifies (unsigned UTF-8 bytes), checked by what readers do with them:
/// DuckDB and hyparquet skip row groups whose bounds exclude a value, so a bound in UTF-16 order (Parquet.Net 6.1.0's
/// mistake, DEPENDENCIES.md) makes `where s = '𠀀'` miss rows beside "，".
/// </summary>
public sealed class StringStatisticsOracleTests : IDisposable
{
    private static readonly ParquetColumn[] Schema = [new("s", ParquetType.String, Nullable: false)];

    private readonly string _dir = Directory.CreateTempSubdirectory("parquet-strings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_row_group_holding_U_20000_beside_U_FF0C_is_found_by_DuckDB_and_hyparquet()
    {
        // "𠀀" is F0 A0 80 80 in UTF-8 and D840 DC00 in UTF-16; "，" is EF BC 8C and FF0C: the two orders disagree on which is larger.
        string[] values = ["，", "𠀀", "中山", "a"];
        var path = Write("cjk.parquet", values, rowGroupRows: 1000);

        var result = NodeOracle.Run("strings", path, "s", Hex("𠀀"), Hex("，"), Hex("中山"));

        foreach (var reader in new[] { "duckdb", "hyparquet" })
        {
            var oracle = result.GetProperty(reader);
            var group = Assert.Single(oracle.GetProperty("groups").EnumerateArray().ToList());
            Assert.Equal("hex:" + Hex("a"), group.GetProperty("min").GetString());
            Assert.Equal("hex:" + Hex("𠀀"), group.GetProperty("max").GetString());
            Assert.Equal(1, oracle.GetProperty("matches").GetProperty(Hex("𠀀")).GetInt32());
            Assert.Equal(1, oracle.GetProperty("matches").GetProperty(Hex("，")).GetInt32());
            Assert.Equal(1, oracle.GetProperty("matches").GetProperty(Hex("中山")).GetInt32());
        }
    }

    [Fact]
    public void Random_strings_of_BMP_non_BMP_and_U_E000_to_U_FFFF_characters_get_byte_order_bounds()
    {
        const int groupRows = 700;
        var random = new Random(20261201);
        var values = Enumerable.Range(0, 4 * groupRows).Select(_ => RandomString(random)).ToList();
        var path = Write("random.parquet", values, groupRows);
        var groups = values.Chunk(groupRows).ToList();
        var expected = groups.Select(g => (Min: g.Min(ByteOrder.Instance)!, Max: g.Max(ByteOrder.Instance)!)).ToList();

        // The case has teeth only if UTF-16 order would pick another bound somewhere.
        Assert.Contains(groups, g => g.Max(StringComparer.Ordinal) != g.Max(ByteOrder.Instance) || g.Min(StringComparer.Ordinal) != g.Min(ByteOrder.Instance));

        using (var stream = File.OpenRead(path))
        {
            var meta = ParquetReader.ReadMetadata(stream);
            Assert.Equal(groups.Count, meta.RowGroups.Count);
            for (var g = 0; g < groups.Count; g++)
            {
                Assert.Equal(expected[g].Min, meta.RowGroups[g].Columns[0].Statistics?.Min);
                Assert.Equal(expected[g].Max, meta.RowGroups[g].Columns[0].Statistics?.Max);
            }
        }

        var probes = expected.SelectMany(b => new[] { b.Min, b.Max }).Distinct(StringComparer.Ordinal).ToList();
        var result = NodeOracle.Run(["strings", path, "s", .. probes.Select(Hex)]);
        foreach (var reader in new[] { "duckdb", "hyparquet" })
        {
            var oracle = result.GetProperty(reader);
            var bounds = oracle.GetProperty("groups").EnumerateArray().ToList();
            Assert.Equal(groups.Count, bounds.Count);
            for (var g = 0; g < groups.Count; g++)
            {
                Assert.Equal("hex:" + Hex(expected[g].Min), bounds[g].GetProperty("min").GetString());
                Assert.Equal("hex:" + Hex(expected[g].Max), bounds[g].GetProperty("max").GetString());
            }

            foreach (var probe in probes)
            {
                Assert.True(
                    values.Count(v => v == probe) == oracle.GetProperty("matches").GetProperty(Hex(probe)).GetInt32(),
                    $"{reader}: s = '{probe}' ({Hex(probe)}) found {oracle.GetProperty("matches").GetProperty(Hex(probe))} rows, {values.Count(v => v == probe)} hold it");
            }
        }
    }

    /// <summary>1 to 6 characters, each ASCII, CJK (BMP), U+E000–U+FFFF or U+10000–U+10FFFF (mostly CJK Extension B).</summary>
    private static string RandomString(Random random)
    {
        var text = new StringBuilder();
        var length = random.Next(1, 7);
        for (var i = 0; i < length; i++)
        {
            var scalar = random.Next(5) switch
            {
                0 => random.Next(0x21, 0x7F),
                1 => random.Next(0x4E00, 0xA000),
                2 => random.Next(0xE000, 0x10000),
                3 => random.Next(0x20000, 0x2A6E0),
                _ => random.Next(0x10000, 0x110000),
            };
            text.Append(char.ConvertFromUtf32(scalar));
        }

        return text.ToString();
    }

    private string Write(string name, IEnumerable<string> values, int rowGroupRows)
    {
        var path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var writer = new ParquetWriter(file, Schema, new ParquetWriterOptions { RowGroupRows = rowGroupRows });
        foreach (var v in values)
        {
            writer.WriteRow(v);
        }

        return path;
    }

    private static string Hex(string value) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value));

    /// <summary>Parquet's order for UTF-8 strings: their bytes compared as unsigned.</summary>
    private sealed class ByteOrder : IComparer<string>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
