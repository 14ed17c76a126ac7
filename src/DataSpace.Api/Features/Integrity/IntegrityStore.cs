using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Versions;
using Npgsql;

namespace DataSpace.Api.Features.Integrity;

/// <summary>The integrity columns of <c>blobs</c>: which content is due for verification, and what verification found.</summary>
internal sealed class IntegrityStore(NpgsqlDataSource db, AuditChain audit)
{
    /// <summary>A blob to read back: its key, the size and SHA-256 the database records for it.</summary>
    public sealed record DueBlob(byte[] Sha256, string BlobKey, long Size);

    /// <summary>
    /// Claims up to <paramref name="limit"/> blobs due for verification (never verified first, then the longest ago) for
    /// <paramref name="claimFor"/>, skipping blobs another instance holds; what is not verified before the claim ends is due again.
    /// </summary>
    public async Task<IReadOnlyList<DueBlob>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset verifiedBefore, TimeSpan claimFor, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<DueBlob>(new CommandDefinition("""
            update blobs b set verification_claimed_until = @until
            from (select sha256 from blobs
                  where (verified_at is null or verified_at < @verifiedBefore)
                    and (verification_claimed_until is null or verification_claimed_until < @now)
                  order by verified_at nulls first, created_at
                  limit @limit
                  for update skip locked) due
            where b.sha256 = due.sha256
            returning b.sha256, b.blob_key, b.size
            """, new { now, verifiedBefore, until = now + claimFor, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Gives claims back (a batch that stopped at its byte budget), so another instance need not wait for them to end.</summary>
    public async Task ReleaseAsync(IEnumerable<byte[]> sha256s, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "update blobs set verification_claimed_until = null where sha256 = any(@hashes)", new { hashes = sha256s.ToArray() }, cancellationToken: ct));
    }

    /// <summary>
    /// Records what reading the blob under <paramref name="blobKey"/> found. Nothing changes if the content has meanwhile been
    /// stored under another key (an upload restored it), so a verification of the old copy cannot mark the new one damaged.
    /// Damage found for the first time is appended to the audit chain of every organisation whose files or records hold the
    /// content, in the same transaction; returns whether that happened (the caller then raises the alert).
    /// </summary>
    public async Task<bool> RecordAsync(byte[] sha256, string blobKey, string status, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await conn.QuerySingleOrDefaultAsync<Previous>(new CommandDefinition(
            "select damage from blobs where sha256 = @sha256 and blob_key = @blobKey for update", new { sha256, blobKey }, tx, cancellationToken: ct));
        if (before is null)
        {
            return false;
        }

        var damage = status == FileConditions.Intact ? null : status;
        await conn.ExecuteAsync(new CommandDefinition("""
            update blobs set verified_at = @now, verification_claimed_until = null, damage = @damage,
                   damaged_at = case when @damage::text is null then null else coalesce(damaged_at, @now) end
            where sha256 = @sha256
            """, new { sha256, now, damage }, tx, cancellationToken: ct));

        var newlyDamaged = damage is not null && before.Damage is null;
        if (newlyDamaged)
        {
            var owners = await conn.QueryAsync<Guid>(new CommandDefinition("""
                select d.owner_id from version_files f join datasets d on d.id = f.dataset_id where f.sha256 = @sha256
                union
                select r.owner_id from record_files r where r.sha256 = @sha256
                """, new { sha256 }, tx, cancellationToken: ct));
            var hex = Convert.ToHexStringLower(sha256);
            await audit.AppendAsync(conn, tx, [.. owners.Order().Select(owner =>
                new AuditEntry(actor, owner, "content", hex, "damage_detected", Details: new { damage }))], ct);
        }

        await tx.CommitAsync(ct);
        return newlyDamaged;
    }

    private sealed record Previous(string? Damage);
}
