using Dapper;
using Npgsql;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// The bureau's statistics of the programme by month and industry: revenue over the units whose consent to this bureau
/// covers their revenue now, and the rewards of its approved runs. Reads only; the caller records the units' reads.
/// </summary>
internal sealed class RewardStatisticsStore(NpgsqlDataSource db)
{
    public sealed record RevenueRow(DateOnly Month, string Industry, long RevenueFen, int Units);

    public sealed record RewardRow(Guid RunId, DateOnly PeriodFrom, DateOnly PeriodTo, string Industry, long RewardFen, int Datasets);

    /// <summary>What was read, with the consent each counted unit's revenue was read under (its most recent matching one).</summary>
    public sealed record Statistics(IReadOnlyList<RevenueRow> Revenue, IReadOnlyList<RewardRow> Rewards, IReadOnlyDictionary<Guid, Guid> ConsentByUnit);

    public async Task<Statistics> ReadAsync(Guid bureau, DateOnly firstMonth, DateOnly lastMonth, DateTimeOffset now, CancellationToken ct)
    {
        // The same programme rule as a reward run's (consent_validity in force now, all datasets or the named ones), for
        // the revenue category alone: a unit that consents to its revenue being read is counted, whatever else it allows.
        // Months come from the ledger's monthly running totals (revenue_rollups, grain 'm', Asia/Shanghai months).
        const string revenueSql = """
            with programme as (
                select c.grantor_id as unit_id, bool_or(c.all_datasets) as all_datasets, array_agg(distinct d) filter (where d is not null) as named
                from consent_validity c left join lateral unnest(c.dataset_ids) as d on true
                where c.grantee_id = @bureau and c.in_force @> @now and c.categories @> array['revenue']
                group by c.grantor_id
            )
            select r.starts as month, d.industry, sum(r.amount_fen)::bigint as revenue_fen, count(distinct d.owner_id)::int as units
            from programme p
            join datasets d on d.owner_id = p.unit_id and (p.all_datasets or d.id = any(p.named))
            join revenue_rollups r on r.dataset_id = d.id and r.grain = 'm' and r.starts between @firstMonth and @lastMonth
            group by r.starts, d.industry
            order by r.starts, d.industry
            """;
        const string consentSql = """
            select distinct on (c.grantor_id) c.grantor_id, c.id from consent_validity c
            where c.grantee_id = @bureau and c.in_force @> @now and c.categories @> array['revenue']
            order by c.grantor_id, c.created_at desc
            """;
        // Approved (not superseded) runs of this bureau whose period overlaps the months asked for.
        const string rewardSql = """
            select r.id as run_id, r.period_from, r.period_to, d.industry, sum(l.reward_fen)::bigint as reward_fen, count(*)::int as datasets
            from reward_runs r
            join reward_run_lines l on l.run_id = r.id
            join datasets d on d.id = l.dataset_id
            where r.created_by = @bureau and r.status = 'approved' and r.period_from <= @lastDay and r.period_to >= @firstMonth
            group by r.id, r.period_from, r.period_to, d.industry
            order by r.id desc, d.industry
            """;
        var args = new { bureau, now, firstMonth, lastMonth, lastDay = lastMonth.AddMonths(1).AddDays(-1) };
        await using var conn = await db.OpenConnectionAsync(ct);
        // One snapshot: the units counted are exactly the units whose consents are recorded as the basis of the read.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var revenue = (await conn.QueryAsync<RevenueRow>(new CommandDefinition(revenueSql, args, tx, cancellationToken: ct))).AsList();
        var consents = (await conn.QueryAsync<(Guid Unit, Guid Consent)>(new CommandDefinition(consentSql, args, tx, cancellationToken: ct)))
            .ToDictionary(x => x.Unit, x => x.Consent);
        var rewards = (await conn.QueryAsync<RewardRow>(new CommandDefinition(rewardSql, args, tx, cancellationToken: ct))).AsList();
        await tx.CommitAsync(ct);
        return new Statistics(revenue, rewards, consents);
    }
}
