using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using Npgsql;

namespace DataSpace.Api.Features.Previews;

/// <summary>The owners' preview policies (see <see cref="Contracts.Versions.PreviewPolicy"/>); a dataset without one has the default.</summary>
internal sealed class PreviewStore(NpgsqlDataSource db, AuditChain audit)
{
    public sealed record PolicyRow(bool Statistics, bool Hashes, DateTime? UpdatedAt)
    {
        public Contracts.Versions.PreviewPolicy ToContract() => new()
        {
            Statistics = Statistics, Hashes = Hashes, UpdatedAt = UpdatedAt is { } at ? Timestamps.Utc(at) : null,
        };
    }

    /// <summary>Schema and counts only.</summary>
    public static readonly PolicyRow Default = new(false, false, null);

    public async Task<PolicyRow> FindAsync(Guid datasetId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PolicyRow>(new CommandDefinition(
            "select statistics, hashes, updated_at from dataset_preview_policies where dataset_id = @datasetId", new { datasetId }, cancellationToken: ct)) ?? Default;
    }

    public async Task<PolicyRow> SetAsync(Guid datasetId, Guid ownerId, bool statistics, bool hashes, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<PolicyRow>(new CommandDefinition("""
            insert into dataset_preview_policies (dataset_id, statistics, hashes, updated_at, updated_by) values (@datasetId, @statistics, @hashes, @now, @by)
            on conflict (dataset_id) do update set statistics = excluded.statistics, hashes = excluded.hashes, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            returning statistics, hashes, updated_at
            """, new { datasetId, statistics, hashes, now, by = actor.OrganizationId }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "preview_policy", datasetId.ToString(), "set", Details: new { statistics, hashes }), ct);
        await tx.CommitAsync(ct);
        return row;
    }
}
