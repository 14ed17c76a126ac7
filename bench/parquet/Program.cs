using System.Diagnostics;
using System.Globalization;
using DataSpace.Bench.Parquet;
using DataSpace.Parquet;

// Writes N usage-event-shaped rows to a snappy Parquet file and prints one JSON line:
//   dotnet bench/parquet/bin/Release/net10.0/DataSpace.Bench.Parquet.dll [rows=10000000] [file=/tmp/dataspace-bench.parquet] [group-rows=1000000]
// tools/parquet-bench-duckdb.mjs writes the same shape with DuckDB for comparison.
var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
var path = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "dataspace-bench.parquet");
var groupRows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;

ParquetColumn[] schema =
[
    new("occurred_at", ParquetType.TimestampMicros, Nullable: false),
    new("org_id", ParquetType.String, Nullable: false),
    new("dataset_id", ParquetType.String, Nullable: false),
    new("version", ParquetType.Int32, Nullable: false),
    new("file_path", ParquetType.String, Nullable: false),
    new("bytes_sent", ParquetType.Int64, Nullable: false),
    new("range_start", ParquetType.Int64),
    new("completed", ParquetType.Boolean, Nullable: false),
    new("request_id", ParquetType.String, Nullable: false),
];

// The same value rules as the DuckDB script, so both files hold comparable data.
var orgs = UsageEventValues.Orgs();
var datasets = UsageEventValues.Datasets();
var paths = UsageEventValues.Paths();
var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
Span<byte> random = stackalloc byte[16];
var rng = new Random(42);

var clock = Stopwatch.StartNew();
await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
await using (var writer = new ParquetWriter(file, schema, new ParquetWriterOptions { Codec = ParquetCodec.Snappy, RowGroupRows = groupRows }))
{
    for (long i = 0; i < rows; i++)
    {
        writer.Write(start.AddTicks(i * 10_000));
        writer.Write(orgs[i % 1000]);
        writer.Write(datasets[i % 500]);
        writer.Write((int)(i % 7));
        writer.Write(paths[i % 500]);
        writer.Write(i * 7919 % 1_048_576);
        if (i % 3 == 0)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(i % 100_000 * 4096);
        }

        writer.Write(i % 10 != 0);
        rng.NextBytes(random);
        writer.Write(new Guid(random).ToString());
        writer.EndRow();
    }

    await writer.CompleteAsync();
}

clock.Stop();
var seconds = clock.Elapsed.TotalSeconds;
var line = string.Create(
    CultureInfo.InvariantCulture,
    $$"""{"tool":"dataspace-parquet","rows":{{rows}},"group_rows":{{groupRows}},"seconds":{{seconds:F3}},"rows_per_s":{{rows / seconds:F0}},"file_bytes":{{new FileInfo(path).Length}},"peak_rss_mb":{{Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F1}}}""");
Console.WriteLine(line);
