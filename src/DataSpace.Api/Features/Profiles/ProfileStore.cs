using System.Text.Json;
using Dapper;
using DataSpace.Api.Http;
using DataSpace.Contracts.Versions;
using Npgsql;

namespace DataSpace.Api.Features.Profiles;

/// <summary>The profiling queue and its results: one file_profiles row per distinct content.</summary>
internal sealed class ProfileStore(NpgsqlDataSource db)
{
    public sealed record Claim(byte[] Sha256, string BlobKey, long Size, int Attempts, string Status, string? Format, string? Delimiter, bool? Header, string? Columns);

    /// <summary>
    /// Claims the oldest pending content nobody holds a live lease on. `skip locked` lets replicas claim side by side
    /// without waiting on each other; the lease (claimed_until) is what keeps the claim once this transaction ends.
    /// </summary>
    public async Task<Claim?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Claim>(new CommandDefinition("""
            update file_profiles p set claimed_until = @until, attempts = p.attempts + 1
            from (select sha256 from file_profiles
                  where (status = 'pending' or rendition_status = 'pending') and (claimed_until is null or claimed_until < @now)
                  order by created_at limit 1 for update skip locked) c,
                 blobs b
            where p.sha256 = c.sha256 and b.sha256 = p.sha256
            returning p.sha256, b.blob_key, b.size, p.attempts, p.status, p.format, p.delimiter, p.header, p.columns::text
            """, new { now, until = now + lease }, cancellationToken: ct));
    }

    /// <summary>Gives a claim back without counting it as an attempt (the blob store was unreachable, or the worker is stopping).</summary>
    public async Task ReleaseAsync(byte[] sha256, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update file_profiles set claimed_until = null, attempts = greatest(attempts - 1, 0)
            where sha256 = @sha256 and (status = 'pending' or rendition_status = 'pending')
            """, new { sha256 }, cancellationToken: ct));
    }

    public async Task DoneAsync(byte[] sha256, ProfileResult r, DateTimeOffset now, long durationMs, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update file_profiles
            set status = 'done', format = @Format, delimiter = @Delimiter, header = @Header, row_count = @RowCount, column_count = @ColumnCount,
                columns = @columns::jsonb, notes = @notes::jsonb, cell_count = @CellCount, null_cell_count = @NullCells,
                claimed_until = null, attempts = 0, profiled_at = @now, duration_ms = @durationMs,
                rendition_status = @renditionStatus, rendition_reason = @renditionReason
            where sha256 = @sha256 and status = 'pending'
            """, new
        {
            renditionStatus = Renditions.Unavailable(r) is null ? RenditionStatuses.Pending : RenditionStatuses.Unavailable,
            renditionReason = Renditions.Unavailable(r),
            sha256, r.Format, r.Delimiter, r.Header, r.RowCount, r.ColumnCount, r.CellCount, r.NullCells, now, durationMs,
            columns = r.Columns is null ? null : JsonSerializer.Serialize(r.Columns, Json.Options),
            notes = r.Notes.Count == 0 ? null : JsonSerializer.Serialize(r.Notes, Json.Options),
        }, cancellationToken: ct));
    }

    public async Task FailedAsync(byte[] sha256, string? format, string reason, DateTimeOffset now, long durationMs, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update file_profiles set status = 'failed', format = @format, reason = @reason, claimed_until = null, profiled_at = @now, duration_ms = @durationMs,
                rendition_status = 'unavailable', rendition_reason = 'The file could not be profiled: ' || @reason
            where sha256 = @sha256 and status = 'pending'
            """, new { sha256, format, reason, now, durationMs }, cancellationToken: ct));
    }

    public async Task RenditionDoneAsync(byte[] sha256, string key, long size, byte[] renditionSha256, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update file_profiles set rendition_status = 'done', rendition_key = @key, rendition_size = @size, rendition_sha256 = @renditionSha256, claimed_until = null, attempts = 0
            where sha256 = @sha256 and rendition_status = 'pending'
            """, new { sha256, key, size, renditionSha256 }, cancellationToken: ct));
    }

    public async Task RenditionFailedAsync(byte[] sha256, string reason, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update file_profiles set rendition_status = 'failed', rendition_reason = @reason, claimed_until = null, attempts = 0
            where sha256 = @sha256 and rendition_status = 'pending'
            """, new { sha256, reason }, cancellationToken: ct));
    }
}
