using System.Diagnostics;
using System.Globalization;
using DataSpace.Bench.Parquet;
using Parquet;
using Parquet.Schema;

// Parquet.Net 6.1.0 writes the usage-event rows of bench/parquet (same value rules), snappy, one row group at a time,
// then writes "，" (U+FF0C) and "𠀀" (U+20000) into one row group and reads the footer back with DataSpace.Parquet's reader to
// see whether its string statistics are in Parquet's unsigned UTF-8 byte order. Prints one JSON line:
//   dotnet bench/parquet-net/bin/Release/net10.0/DataSpace.Bench.ParquetNet.dll [rows=10000000] [file] [group-rows=1000000]
var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
var path = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "dataspace-bench-parquet-net.parquet");
var groupRows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;

var occurredAt = new DataField<DateTime>("occurred_at");
var orgId = new DataField<string>("org_id", false);
var datasetId = new DataField<string>("dataset_id", false);
var version = new DataField<int>("version");
var filePath = new DataField<string>("file_path", false);
var bytesSent = new DataField<long>("bytes_sent");
var rangeStart = new DataField<long?>("range_start");
var completed = new DataField<bool>("completed");
var requestId = new DataField<string>("request_id", false);
var schema = new ParquetSchema(occurredAt, orgId, datasetId, version, filePath, bytesSent, rangeStart, completed, requestId);

var orgs = UsageEventValues.Orgs();
var datasets = UsageEventValues.Datasets();
var paths = UsageEventValues.Paths();
var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
var random = new byte[16];
var rng = new Random(42);

var size = (int)Math.Min(groupRows, Math.Max(rows, 1));
var at = new DateTime[size];
var org = new string[size];
var ds = new string[size];
var ver = new int[size];
var file = new string[size];
var sent = new long[size];
var range = new long?[size];
var done = new bool[size];
var request = new string[size];

var clock = Stopwatch.StartNew();
await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
await using (var writer = await ParquetWriter.CreateAsync(schema, output, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }))
{
    for (long first = 0; first < rows; first += size)
    {
        var n = (int)Math.Min(size, rows - first);
        for (var k = 0; k < n; k++)
        {
            var i = first + k;
            at[k] = start.AddTicks(i * 10_000);
            org[k] = orgs[i % 1000];
            ds[k] = datasets[i % 500];
            ver[k] = (int)(i % 7);
            file[k] = paths[i % 500];
            sent[k] = i * 7919 % 1_048_576;
            range[k] = i % 3 == 0 ? null : i % 100_000 * 4096;
            done[k] = i % 10 != 0;
            rng.NextBytes(random);
            request[k] = new Guid(random).ToString();
        }

        using var group = writer.CreateRowGroup();
        await group.WriteAsync(occurredAt, new ReadOnlyMemory<DateTime>(at, 0, n));
        await group.WriteAsync(orgId, new ArraySegment<string>(org, 0, n));
        await group.WriteAsync(datasetId, new ArraySegment<string>(ds, 0, n));
        await group.WriteAsync(version, new ReadOnlyMemory<int>(ver, 0, n));
        await group.WriteAsync(filePath, new ArraySegment<string>(file, 0, n));
        await group.WriteAsync(bytesSent, new ReadOnlyMemory<long>(sent, 0, n));
        await group.WriteAsync(rangeStart, new ReadOnlyMemory<long?>(range, 0, n));
        await group.WriteAsync(completed, new ReadOnlyMemory<bool>(done, 0, n));
        await group.WriteAsync(requestId, new ArraySegment<string>(request, 0, n));
        group.CompleteValidate();
    }
}

clock.Stop();
var seconds = clock.Elapsed.TotalSeconds;
var fileBytes = new FileInfo(path).Length;
var peakRss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);

// The statistics case of issue 13: in UTF-8 byte order "𠀀" (F0 A0 80 80) is the max; in UTF-16 order "，" (FF0C) is.
string[] cjk = ["，", "𠀀", "a"];
var s = new DataField<string>("s", false);
var probePath = path + ".statistics";
await using (var probeFile = File.Create(probePath))
await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(s), probeFile))
{
    using var group = writer.CreateRowGroup();
    await group.WriteAsync(s, cjk);
    group.CompleteValidate();
}

DataSpace.Parquet.ParquetStatistics? stats;
await using (var probe = File.OpenRead(probePath))
{
    stats = DataSpace.Parquet.ParquetReader.ReadMetadata(probe).RowGroups[0].Columns[0].Statistics;
}

File.Delete(probePath);
var statsOk = stats?.Min as string == "a" && stats.Max as string == "𠀀";
var line = string.Create(
    CultureInfo.InvariantCulture,
    $$"""{"tool":"parquet-net-6.1.0","rows":{{rows}},"group_rows":{{size}},"seconds":{{seconds:F3}},"rows_per_s":{{rows / seconds:F0}},"file_bytes":{{fileBytes}},"peak_rss_mb":{{peakRss:F1}},"string_stats_ok":{{(statsOk ? "true" : "false")}},"string_max":"{{stats?.Max}}"}""");
Console.WriteLine(line);
