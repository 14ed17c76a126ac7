namespace DataSpace.Bench.Parquet;

/// <summary>
/// The value pools of the bench's usage-event rows, shared by bench/parquet and bench/parquet-net (and mirrored by
/// tools/parquet-bench-duckdb.mjs) so every writer gets comparable data.
/// </summary>
internal static class UsageEventValues
{
    public static string[] Orgs()
    {
        var orgRandom = new Random(7);
        return [.. Enumerable.Range(0, 1000).Select(_ =>
        {
            var bytes = new byte[16];
            orgRandom.NextBytes(bytes);
            return new Guid(bytes).ToString();
        })];
    }

    public static string[] Datasets() => [.. Enumerable.Range(0, 500).Select(i => $"ds-{i}")];

    public static string[] Paths() => [.. Enumerable.Range(0, 500).Select(i => $"/datasets/{i}/part-{i % 4}.parquet")];
}
