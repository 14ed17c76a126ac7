using Dapper;
using Npgsql;

namespace DataSpace.Usage.Metering;

/// <summary>
/// Keeps monthly partitions of the usage ledger ahead of time. Events for a month without a partition land in the
/// default partition (nothing is lost), but a month's partition cannot be created once the default holds its rows,
/// so the partitions for this month and the next two are created early, at start-up and then daily.
/// </summary>
public sealed class UsagePartitions(NpgsqlDataSource db)
{
    public const int MonthsAhead = 2;

    public async Task EnsureAsync(DateTimeOffset now, CancellationToken ct)
    {
        var month = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        await using var conn = await db.OpenConnectionAsync(ct);
        for (var i = 0; i <= MonthsAhead; i++)
        {
            await conn.ExecuteAsync(new CommandDefinition("select ensure_usage_partition(@month)", new { month = month.AddMonths(i) }, cancellationToken: ct));
        }
    }

    /// <summary>Names of the monthly partitions that exist, e.g. usage_events_2026_11.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var names = await conn.QueryAsync<string>(new CommandDefinition("""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'usage_events'::regclass and c.relname <> 'usage_events_default' order by c.relname
            """, cancellationToken: ct));
        return names.AsList();
    }
}
