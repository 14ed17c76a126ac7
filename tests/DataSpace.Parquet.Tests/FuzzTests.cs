using System.Buffers.Binary;

namespace DataSpace.Parquet.Tests;

/// <summary>
/// Seeded corruptions of valid files: every read must succeed or end in ParquetFormatException /
/// ParquetNotSupportedException, promptly. Anything else is listed with the case that caused it.
/// </summary>
public sealed class FuzzTests
{
    // A hang detector, not a speed check: a case that loops forever fails; a machine that is merely busy does not.
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Bases() => ["snappy-dictionary-nullable", "gzip-plain-required", "uncompressed-fallback-nullable"];

    private static byte[] BaseFile(string name)
    {
        var parts = name.Split('-');
        var codec = Enum.Parse<ParquetCodec>(parts[0], ignoreCase: true);
        var options = RoundTripTests.Options(codec, parts[1]);
        return TestData.Write(TestData.Schema(parts[2] == "nullable"), 300, new ParquetWriterOptions
        {
            Codec = codec,
            Dictionary = options.Dictionary,
            DictionaryPageBytes = parts[1] == "fallback" ? 200 : options.DictionaryPageBytes,
            PageBytes = 512,
            RowGroupRows = 120,
            KeyValueMetadata = options.KeyValueMetadata,
        });
    }

    [Theory]
    [MemberData(nameof(Bases))]
    public void Corrupted_files_fail_only_with_parquet_exceptions_and_in_bounded_time(string baseName)
    {
        var original = BaseFile(baseName);
        Assert.Equal(300, TestData.ReadAll(original).Count);

        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var cases = 0;
        foreach (var (label, bytes) in Mutations(original, seed: StableSeed(baseName)))
        {
            cases++;
            var outcome = ReadWithLimit(bytes, outcomes);
            if (outcome is not null)
            {
                failures.Add($"{baseName} {label}: {outcome}");
                if (failures.Count >= 20)
                {
                    break;
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{baseName}: {cases} cases: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        Assert.True(cases > 2000, $"only {cases} cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n{string.Join('\n', failures)}");
    }

    private static int StableSeed(string s) => s.Aggregate(17, (h, c) => unchecked((h * 31) + c)) & 0x7FFFFFFF;

    /// <summary>Null when the read ended well; otherwise what went wrong.</summary>
    private static string? ReadWithLimit(byte[] bytes, Dictionary<string, int>? outcomes = null)
    {
        var task = Task.Run(() =>
        {
            using var ms = new MemoryStream(bytes, writable: false);
            ParquetReader.ReadMetadata(ms);
            ms.Position = 0;
            foreach (var row in ParquetReader.ReadRows(ms))
            {
                GC.KeepAlive(row);
            }
        });
        try
        {
            if (!task.Wait(CaseLimit, TestContext.Current.CancellationToken))
            {
                return $"did not finish within {CaseLimit.TotalSeconds} s";
            }

            Count(outcomes, "read");
            return null;
        }
        catch (AggregateException e) when (e.InnerException is ParquetFormatException or ParquetNotSupportedException)
        {
            Count(outcomes, e.InnerException.GetType().Name);
            return null;
        }
        catch (AggregateException e)
        {
            return $"{e.InnerException!.GetType().Name}: {e.InnerException.Message}";
        }
    }

    private static void Count(Dictionary<string, int>? outcomes, string key)
    {
        if (outcomes is not null)
        {
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
    }

    private static IEnumerable<(string Label, byte[] Bytes)> Mutations(byte[] original, int seed)
    {
        var random = new Random(seed);
        var length = original.Length;
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(original.AsSpan(length - 8));
        var footerStart = length - 8 - footerLength;

        // Truncations: everywhere at a stride, and at every byte of the tail.
        for (var at = 0; at < length; at += Math.Max(1, length / 300))
        {
            yield return ($"truncate at {at}", original[..at]);
        }

        for (var at = Math.Max(0, footerStart - 50); at < length; at++)
        {
            yield return ($"truncate at {at}", original[..at]);
        }

        // Bit flips, half of them in the footer where sizes and offsets live.
        for (var k = 0; k < 1500; k++)
        {
            var bytes = (byte[])original.Clone();
            var flips = 1 + random.Next(3);
            var where = new List<string>();
            for (var f = 0; f < flips; f++)
            {
                var at = k % 2 == 0 ? footerStart + random.Next(footerLength) : random.Next(length);
                var bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                where.Add($"{at}.{bit}");
            }

            yield return ($"seed {seed} flip #{k} at {string.Join(',', where)}", bytes);
        }

        // Huge or negative 4-byte values dropped over length-looking places.
        int[] huge = [int.MaxValue, -1, int.MinValue, 0x00FFFFFF, 1 << 30];
        for (var k = 0; k < 300; k++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(length - 4);
            var value = huge[k % huge.Length];
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
            yield return ($"int32 {value} at {at}", bytes);
        }

        // Thrift varints in the footer replaced by maximal ones (huge sizes, counts, offsets).
        for (var k = 0; k < 400; k++)
        {
            var bytes = (byte[])original.Clone();
            var at = footerStart + random.Next(footerLength - 5);
            byte[] varint = k % 2 == 0 ? [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] : [0xFE, 0xFF, 0xFF, 0x7F];
            varint.CopyTo(bytes, at);
            yield return ($"varint {Convert.ToHexString(varint)} at {at}", bytes);
        }

        // Footer length lies.
        foreach (var lie in new[] { 0, 1, -1, footerLength - 1, footerLength + 1, length, length - 11, int.MaxValue, int.MinValue })
        {
            var bytes = (byte[])original.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(length - 8), lie);
            yield return ($"footer length {lie}", bytes);
        }

        // Encrypted-footer magic and garbage magic.
        var pare = (byte[])original.Clone();
        "PARE"u8.CopyTo(pare.AsSpan(length - 4));
        yield return ("PARE magic", pare);

        // Deeply nested Thrift: a footer of nested struct headers and of list headers.
        yield return ("nested structs", WithFooter(Enumerable.Repeat((byte)0x1C, 5000).ToArray()));
        yield return ("nested lists", WithFooter([0x19, .. Enumerable.Repeat((byte)0xF9, 5000)]));
        yield return ("huge list", WithFooter([0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
    }

    /// <summary>"PAR1", the footer, its length, "PAR1".</summary>
    internal static byte[] WithFooter(byte[] footer)
    {
        var bytes = new byte[4 + footer.Length + 8];
        "PAR1"u8.CopyTo(bytes);
        footer.CopyTo(bytes, 4);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + footer.Length), footer.Length);
        "PAR1"u8.CopyTo(bytes.AsSpan(bytes.Length - 4));
        return bytes;
    }

    [Fact]
    public void Encrypted_footer_is_not_supported_by_name()
    {
        var bytes = BaseFile("snappy-dictionary-nullable");
        "PARE"u8.CopyTo(bytes.AsSpan(0));
        "PARE"u8.CopyTo(bytes.AsSpan(bytes.Length - 4));
        using var ms = new MemoryStream(bytes);
        var e = Assert.Throws<ParquetNotSupportedException>(() => ParquetReader.ReadMetadata(ms));
        Assert.Contains("encryption", e.Message, StringComparison.Ordinal);
    }
}
