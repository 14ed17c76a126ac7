using Dapper;
using Npgsql;

namespace DataSpace.Usage.Metering;

/// <summary>One bucket of a dataset's usage, as its owner sees it: counts only, never who the consumers were.</summary>
public sealed record DatasetUsageBucket(DateOnly Start, long Downloads, long CompletedDownloads, long Bytes, long Consumers);

/// <summary>One bucket of a consumer's own usage of one dataset.</summary>
public sealed record ConsumerUsageBucket(DateOnly Start, Guid DatasetId, long Downloads, long CompletedDownloads, long Bytes);

/// <summary>One bucket of a unit's usage of one dataset, as an authority sees it under consent.</summary>
public sealed record UnitUsageBucket(DateOnly Start, Guid DatasetId, long Downloads, long CompletedDownloads, long Bytes, long Consumers);

/// <summary>Rollups of the usage ledger by day or month in Asia/Shanghai time, the time of the city's reporting periods.</summary>
public sealed class UsageReports(NpgsqlDataSource db)
{
    public const string TimeZone = ReportingPeriods.TimeZoneId;

    /// <summary>
    /// Every bucket from <paramref name="from"/> to <paramref name="to"/> (inclusive days), zero-filled. The owner's own
    /// downloads are not consumption and are left out.
    /// </summary>
    public async Task<IReadOnlyList<DatasetUsageBucket>> ForDatasetAsync(Guid datasetId, Guid ownerId, DateOnly from, DateOnly to, string granularity, CancellationToken ct)
    {
        const string sql = """
            with buckets as (
                select generate_series(date_trunc(@granularity, @from::timestamp), date_trunc(@granularity, @to::timestamp), ('1 ' || @granularity)::interval)::date as start
            ),
            events as (
                select date_trunc(@granularity, occurred_at at time zone 'Asia/Shanghai')::date as start, status, bytes_sent, consumer_id
                from usage_events
                where dataset_id = @datasetId and consumer_id <> @ownerId
                  and occurred_at >= (@from::timestamp at time zone 'Asia/Shanghai')
                  and occurred_at < ((@to + 1)::timestamp at time zone 'Asia/Shanghai')
            )
            select b.start, count(e.start) as downloads, count(e.start) filter (where e.status = 'completed') as completed_downloads,
                   coalesce(sum(e.bytes_sent), 0)::bigint as bytes, count(distinct e.consumer_id) as consumers
            from buckets b left join events e on e.start = b.start
            group by b.start order by b.start
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<DatasetUsageBucket>(new CommandDefinition(sql, new { datasetId, ownerId, from, to, granularity }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The consumer's own downloads per bucket and dataset; only buckets with activity.</summary>
    public async Task<IReadOnlyList<ConsumerUsageBucket>> ForConsumerAsync(Guid consumerId, Guid? datasetId, DateOnly from, DateOnly to, string granularity, CancellationToken ct)
    {
        const string sql = """
            select date_trunc(@granularity, occurred_at at time zone 'Asia/Shanghai')::date as start, dataset_id,
                   count(*) as downloads, count(*) filter (where status = 'completed') as completed_downloads, sum(bytes_sent)::bigint as bytes
            from usage_events
            where consumer_id = @consumerId and (@datasetId::uuid is null or dataset_id = @datasetId)
              and occurred_at >= (@from::timestamp at time zone 'Asia/Shanghai')
              and occurred_at < ((@to + 1)::timestamp at time zone 'Asia/Shanghai')
            group by 1, 2 order by 1, 2
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ConsumerUsageBucket>(new CommandDefinition(sql, new { consumerId, datasetId, from, to, granularity }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>A unit's usage per bucket and dataset, for the datasets <paramref name="covered"/> names (all when null); only buckets with activity.</summary>
    public async Task<IReadOnlyList<UnitUsageBucket>> ForUnitAsync(Guid unitId, Guid[]? covered, DateOnly from, DateOnly to, string granularity, CancellationToken ct)
    {
        const string sql = """
            select date_trunc(@granularity, occurred_at at time zone 'Asia/Shanghai')::date as start, dataset_id,
                   count(*) as downloads, count(*) filter (where status = 'completed') as completed_downloads,
                   sum(bytes_sent)::bigint as bytes, count(distinct consumer_id) as consumers
            from usage_events
            where owner_id = @unitId and consumer_id <> @unitId and (@covered::uuid[] is null or dataset_id = any(@covered))
              and occurred_at >= (@from::timestamp at time zone 'Asia/Shanghai')
              and occurred_at < ((@to + 1)::timestamp at time zone 'Asia/Shanghai')
            group by 1, 2 order by 1, 2
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<UnitUsageBucket>(new CommandDefinition(sql, new { unitId, covered, from, to, granularity }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Today's date in the reporting time zone.</summary>
    public static DateOnly Today(TimeProvider clock) => ReportingPeriods.DateOf(clock.GetUtcNow());
}
