using System.Globalization;
using System.Text;
using DataSpace.Api.Auth;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Parquet;
using DataSpace.Usage.Metering;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace DataSpace.Api.Features.Usage;

/// <summary>
/// An organisation's own usage events, one row per download request, as Parquet (snappy) or CSV: as a consumer (what it
/// downloaded) or as an owner (downloads of its datasets — without the consumer's organisation and client, which are
/// the consumer's business secrets, as in the owner's usage report). Rows stream from PostgreSQL to the response; memory holds
/// one Parquet row group of at most <see cref="RowsPerGroup"/> rows, never the export.
/// </summary>
internal static class UsageExport
{
    public const int RowsPerGroup = 65_536;

    private static readonly ParquetColumn[] ConsumerSchema =
    [
        new("event_id", ParquetType.String, Nullable: false),
        new("occurred_at", ParquetType.TimestampMicros, Nullable: false),
        new("finished_at", ParquetType.TimestampMicros),
        new("consumer_id", ParquetType.String, Nullable: false),
        new("client_id", ParquetType.String, Nullable: false),
        new("dataset_id", ParquetType.String, Nullable: false),
        new("owner_id", ParquetType.String, Nullable: false),
        new("version", ParquetType.Int32, Nullable: false),
        new("path", ParquetType.String, Nullable: false),
        new("range_start", ParquetType.Int64),
        new("range_end", ParquetType.Int64),
        new("bytes_requested", ParquetType.Int64, Nullable: false),
        new("bytes_sent", ParquetType.Int64, Nullable: false),
        new("status", ParquetType.String, Nullable: false),
        new("request_id", ParquetType.String, Nullable: false),
    ];

    // What an owner may see of a download of its data: everything but who downloaded it.
    private static readonly ParquetColumn[] OwnerSchema = [.. ConsumerSchema.Where(c => c.Name is not ("consumer_id" or "client_id"))];

    public static RouteHandlerBuilder MapUsageExport(this RouteGroupBuilder group) =>
        group.MapGet("/usage/export", ExportAsync).WithName("ExportMyUsageEvents")
            .WithSummary("Your organisation's usage events as Parquet (snappy) or CSV: as=consumer (your downloads, default) or as=owner (downloads of your " +
                "datasets, without who downloaded them); " +
                "from/to are Asia/Shanghai dates, at most 366 days, default the last 30")
            .Produces<Stream>(StatusCodes.Status200OK, ParquetWriter.MediaType, "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> ExportAsync(HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? format = null, [FromQuery(Name = "as")] string? side = null, [FromQuery] string? from = null, [FromQuery] string? to = null)
    {
        var v = new Validation();
        format ??= "parquet";
        if (format is not ("parquet" or "csv"))
        {
            v.Add("format", "must be parquet or csv");
        }

        side ??= "consumer";
        if (side is not ("consumer" or "owner"))
        {
            v.Add("as", "must be consumer (your downloads) or owner (downloads of your datasets)");
        }

        var period = UsagePeriods.Read(from, to, null, clock, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var start = DataSpace.Usage.ReportingPeriods.StartOf(period.From);
        var end = DataSpace.Usage.ReportingPeriods.StartOf(period.To.AddDays(1));
        var sql = $"""
            select id, occurred_at, finished_at, consumer_id, client_id, dataset_id, owner_id, version_number, path,
                   range_start, range_end, bytes_requested, bytes_sent, status, request_id
            from usage_events
            where {(side == "owner" ? "owner_id" : "consumer_id")} = @org and occurred_at >= @start and occurred_at < @end
            order by occurred_at, id
            """;
        var org = http.User.OrganizationId();
        var name = $"usage-{side}-{period.From:yyyyMMdd}-{period.To:yyyyMMdd}.{format}";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        return TypedResults.Stream(async body =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("org", org);
            cmd.Parameters.AddWithValue("start", start);
            cmd.Parameters.AddWithValue("end", end);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var schema = side == "owner" ? OwnerSchema : ConsumerSchema;
            if (format == "csv")
            {
                await WriteCsvAsync(reader, schema, body, ct);
            }
            else
            {
                await WriteParquetAsync(reader, schema, body, period, side, ct);
            }
        }, format == "csv" ? "text/csv; charset=utf-8" : ParquetWriter.MediaType);
    }

    private static async Task WriteParquetAsync(NpgsqlDataReader r, ParquetColumn[] schema, Stream body, UsagePeriods.Period period, string side, CancellationToken ct)
    {
        var options = new ParquetWriterOptions
        {
            Codec = ParquetCodec.Snappy,
            RowGroupRows = RowsPerGroup,
            KeyValueMetadata = new Dictionary<string, string>
            {
                ["dataspace.export"] = "usage_events",
                ["dataspace.as"] = side,
                ["dataspace.period"] = $"{period.From:yyyy-MM-dd}/{period.To:yyyy-MM-dd}",
                ["dataspace.time_zone"] = UsageReports.TimeZone,
            },
        };
        await using var writer = new ParquetWriter(body, schema, options, leaveOpen: true);
        var owner = side == "owner";
        while (await r.ReadAsync(ct))
        {
            writer.Write(r.GetGuid(0).ToString());
            writer.Write(new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero));
            if (r.IsDBNull(2)) { writer.WriteNull(); } else { writer.Write(new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero)); }
            if (!owner)
            {
                writer.Write(r.GetGuid(3).ToString());
                writer.Write(r.GetString(4));
            }

            writer.Write(r.GetGuid(5).ToString());
            writer.Write(r.GetGuid(6).ToString());
            writer.Write(r.GetInt32(7));
            writer.Write(r.GetString(8));
            if (r.IsDBNull(9)) { writer.WriteNull(); } else { writer.Write(r.GetInt64(9)); }
            if (r.IsDBNull(10)) { writer.WriteNull(); } else { writer.Write(r.GetInt64(10)); }
            writer.Write(r.GetInt64(11));
            writer.Write(r.GetInt64(12));
            writer.Write(r.GetString(13));
            writer.Write(r.GetString(14));
            await writer.EndRowAsync(ct); // a full row group goes out asynchronously: the response body refuses synchronous writes
        }

        await writer.CompleteAsync(ct);
    }

    private static async Task WriteCsvAsync(NpgsqlDataReader r, ParquetColumn[] schema, Stream body, CancellationToken ct)
    {
        await using var text = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await text.WriteLineAsync(string.Join(',', schema.Select(c => c.Name)));
        // Columns are read by name, so the owner's schema simply leaves the consumer's out.
        var ordinals = schema.Select(c => r.GetOrdinal(Column(c.Name))).ToArray();
        var cells = new string[schema.Length];
        while (await r.ReadAsync(ct))
        {
            for (var i = 0; i < cells.Length; i++)
            {
                var o = ordinals[i];
                cells[i] = r.IsDBNull(o) ? "" : r.GetValue(o) switch
                {
                    DateTime t => new DateTimeOffset(t, TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    var value => Csv.Cell(value.ToString() ?? ""),
                };
            }

            await text.WriteLineAsync(string.Join(',', cells));
        }
    }

    private static string Column(string name) => name switch
    {
        "event_id" => "id",
        "version" => "version_number",
        _ => name,
    };
}
