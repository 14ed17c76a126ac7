using System.Security.Cryptography;
using System.Text;
using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Versions;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Versions;

internal sealed class VersionStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    private const string SelectFile = """
        select f.path, f.size, f.sha256, f.content_type, b.blob_key, p.status as profile_status, p.format, p.delimiter, p.header,
               p.row_count, p.column_count, p.columns::text, p.notes::text, p.reason, p.profiled_at, p.duration_ms,
               p.rendition_status, p.rendition_key, p.rendition_size, p.rendition_sha256, p.rendition_reason, b.damage, b.store_checksum
        from version_files f join blobs b on b.sha256 = f.sha256
        left join file_profiles p on p.sha256 = f.sha256
        """ + "\n";

    // Draft versions count their files live; committed ones carry the frozen totals.
    private const string SelectVersion = """
        select v.dataset_id, v.number, v.status, v.notes, v.manifest_sha256,
               coalesce(v.file_count, (select count(*)::int from version_files f where f.dataset_id = v.dataset_id and f.version_number = v.number)) as file_count,
               coalesce(v.total_bytes, (select coalesce(sum(f.size), 0)::bigint from version_files f where f.dataset_id = v.dataset_id and f.version_number = v.number)) as total_bytes,
               v.created_at, v.committed_at
        from dataset_versions v
        """;

    /// <summary>Opens version max+1 as a draft; null when a draft is already open (one at a time).</summary>
    public async Task<VersionRow?> OpenDraftAsync(Guid datasetId, Guid ownerId, string notes, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Serialise version numbering per dataset.
        await conn.ExecuteAsync(new CommandDefinition("select 1 from datasets where id = @datasetId for update", new { datasetId }, tx, cancellationToken: ct));
        var draftOpen = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from dataset_versions where dataset_id = @datasetId and status = 'draft')", new { datasetId }, tx, cancellationToken: ct));
        if (draftOpen)
        {
            return null;
        }

        var number = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            insert into dataset_versions (dataset_id, number, status, notes, created_at)
            select @datasetId, coalesce(max(number), 0) + 1, 'draft', @notes, @now from dataset_versions where dataset_id = @datasetId
            returning number
            """, new { datasetId, notes, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "version", $"{datasetId}/{number}", "opened", Details: new { notes }), ct);
        await tx.CommitAsync(ct);
        return await FindAsync(datasetId, number, ct);
    }

    /// <summary>A version by number, or the latest committed one when <paramref name="number"/> is null.</summary>
    public async Task<VersionRow?> FindAsync(Guid datasetId, int? number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return number is { } n
            ? await conn.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(SelectVersion + " where v.dataset_id = @datasetId and v.number = @n", new { datasetId, n }, cancellationToken: ct))
            : await conn.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(SelectVersion + " where v.dataset_id = @datasetId and v.status = 'committed' order by v.number desc limit 1", new { datasetId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<VersionRow>> ListAsync(Guid datasetId, bool includeDrafts, int? before, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<VersionRow>(new CommandDefinition(SelectVersion + """
             where v.dataset_id = @datasetId and (@includeDrafts or v.status = 'committed') and (@before::int is null or v.number < @before)
             order by v.number desc limit @limit
            """, new { datasetId, includeDrafts, before, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<FileRow>> FilesAsync(Guid datasetId, int number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<FileRow>(new CommandDefinition(SelectFile + """
            where f.dataset_id = @datasetId and f.version_number = @number
            order by f.path collate "C"
            """, new { datasetId, number }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The files of several versions (one per dataset) in one query, keyed by dataset, each list ordered by path.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<FileRow>>> FilesOfAsync(IReadOnlyList<(Guid DatasetId, int Number)> versions, CancellationToken ct)
    {
        var datasetIds = versions.Select(v => v.DatasetId).ToArray();
        var numbers = versions.Select(v => v.Number).ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Guid, FileRow, (Guid DatasetId, FileRow File)>(new CommandDefinition(SelectFile.Replace("select f.path", "select f.dataset_id, f.path", StringComparison.Ordinal) + """
            where (f.dataset_id, f.version_number) in (select * from unnest(@datasetIds, @numbers))
            order by f.dataset_id, f.path collate "C"
            """, new { datasetIds, numbers }, cancellationToken: ct), (id, file) => (id, file), splitOn: "path");
        return rows.GroupBy(r => r.DatasetId).ToDictionary(g => g.Key, g => (IReadOnlyList<FileRow>)[.. g.Select(r => r.File)]);
    }

    public async Task<FileRow?> FileAsync(Guid datasetId, int number, string path, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<FileRow>(new CommandDefinition(SelectFile + """
            where f.dataset_id = @datasetId and f.version_number = @number and f.path = @path
            """, new { datasetId, number, path }, cancellationToken: ct));
    }

    public enum RecordOutcome { Created, Replaced, VersionNotDraft }

    /// <summary>
    /// What recording an upload came to: whether the upload's blob became the stored copy of its content (if not, identical
    /// content was already stored, or the version is no longer a draft), the key of a lost or damaged copy it replaced, and
    /// the manifest row as written (null when the version is no longer a draft).
    /// </summary>
    public sealed record Recorded(RecordOutcome Outcome, bool BlobKept, string? ReplacedKey, FileRow? File);

    /// <summary>The stored copy of some content: its key, the damage a verification found in it (null when none), the store's checksum.</summary>
    public sealed record StoredBlob(string BlobKey, string? Damage, byte[]? StoreChecksum);

    /// <summary>
    /// Records an uploaded blob as a file of a draft version, on one connection: first the stored copy of the same content,
    /// if any, goes to <paramref name="inspect"/>, which answers whether the store lost that copy (this upload's blob then
    /// takes its place, so uploading lost content again restores it) and the store's checksum of the new blob; then one
    /// transaction writes the content, the manifest row and the audit event, and reads the row back.
    /// </summary>
    public async Task<Recorded> RecordUploadAsync(
        Guid datasetId, Guid ownerId, int number, string path, byte[] sha256, long size, string contentType, string blobKey,
        Func<StoredBlob?, Task<(string? LostKey, byte[]? StoreChecksum)>> inspect, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var stored = await conn.QuerySingleOrDefaultAsync<StoredBlob>(new CommandDefinition(
            "select blob_key, damage, store_checksum from blobs where sha256 = @sha256", new { sha256 }, cancellationToken: ct));
        var (lostKey, storeChecksum) = await inspect(stored);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var isDraft = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from dataset_versions where dataset_id = @datasetId and number = @number and status = 'draft' for share)",
            new { datasetId, number }, tx, cancellationToken: ct));
        if (!isDraft)
        {
            return new(RecordOutcome.VersionNotDraft, false, null, null);
        }

        var kept = await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            with inserted as (
                insert into blobs (sha256, blob_key, size, created_at, store_checksum) values (@sha256, @blobKey, @size, @now, @storeChecksum)
                on conflict (sha256) do update set blob_key = excluded.blob_key, store_checksum = excluded.store_checksum,
                    damage = null, damaged_at = null, verified_at = @now
                    where blobs.blob_key = @lostKey
                returning 1)
            select exists (select 1 from inserted)
            """, new { sha256, blobKey, size, now, lostKey, storeChecksum }, tx, cancellationToken: ct));
        var replaced = await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            with old as (select 1 from version_files where dataset_id = @datasetId and version_number = @number and path = @path),
                 upsert as (
                    insert into version_files (dataset_id, version_number, path, sha256, size, content_type, created_at)
                    values (@datasetId, @number, @path, @sha256, @size, @contentType, @now)
                    on conflict (dataset_id, version_number, path) do update
                        set sha256 = excluded.sha256, size = excluded.size, content_type = excluded.content_type, created_at = excluded.created_at
                    returning 1)
            select exists (select 1 from old) from upsert
            """, new { datasetId, number, path, sha256, size, contentType, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "file", $"{datasetId}/{number}/{path}", replaced ? "replaced" : "uploaded",
            Details: new { size, sha256 = Convert.ToHexStringLower(sha256) }), ct);
        var file = await conn.QuerySingleAsync<FileRow>(new CommandDefinition(SelectFile + """
            where f.dataset_id = @datasetId and f.version_number = @number and f.path = @path
            """, new { datasetId, number, path }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new(replaced ? RecordOutcome.Replaced : RecordOutcome.Created, kept, kept ? lostKey : null, file);
    }

    /// <summary>Removes a file from a draft version; false when there was no such file in a draft.</summary>
    public async Task<bool> RemoveFileAsync(Guid datasetId, Guid ownerId, int number, string path, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await conn.ExecuteAsync(new CommandDefinition("""
            delete from version_files f using dataset_versions v
            where f.dataset_id = @datasetId and f.version_number = @number and f.path = @path
              and v.dataset_id = f.dataset_id and v.number = f.version_number and v.status = 'draft'
            """, new { datasetId, number, path }, tx, cancellationToken: ct)) == 1;
        if (removed)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "file", $"{datasetId}/{number}/{path}", "removed"), ct);
        }

        await tx.CommitAsync(ct);
        return removed;
    }

    public enum CommitOutcome { Committed, NotDraft, Empty }

    /// <summary>Freezes a draft: computes the manifest hash over its files in path byte order and marks it committed.</summary>
    public async Task<CommitOutcome> CommitAsync(Guid datasetId, Guid ownerId, int number, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var isDraft = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from dataset_versions where dataset_id = @datasetId and number = @number and status = 'draft' for update)",
            new { datasetId, number }, tx, cancellationToken: ct));
        if (!isDraft)
        {
            return CommitOutcome.NotDraft;
        }

        var files = (await conn.QueryAsync<(string Path, long Size, byte[] Sha256)>(new CommandDefinition("""
            select path, size, sha256 from version_files where dataset_id = @datasetId and version_number = @number order by path collate "C"
            """, new { datasetId, number }, tx, cancellationToken: ct))).AsList();
        if (files.Count == 0)
        {
            return CommitOutcome.Empty;
        }

        var manifest = Manifest.Hash(files.Select(f => (f.Path, f.Size, f.Sha256)));
        await conn.ExecuteAsync(new CommandDefinition("""
            update dataset_versions set status = 'committed', manifest_sha256 = @manifest, file_count = @count, total_bytes = @total, committed_at = @now
            where dataset_id = @datasetId and number = @number;
            update datasets set updated_at = @now, latest_version = @number where id = @datasetId;
            -- Queue each new content for the background profiler (content profiled before keeps its profile).
            insert into file_profiles (sha256, status, created_at)
            select distinct sha256, 'pending', @now from version_files where dataset_id = @datasetId and version_number = @number
            on conflict (sha256) do nothing;
            """, new { datasetId, number, manifest, count = files.Count, total = files.Sum(f => f.Size), now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "version", $"{datasetId}/{number}", "committed",
            Details: new { manifest_sha256 = manifest, file_count = files.Count }), ct);
        await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.VersionPublished, WebhookAudience.DatasetFollowers, datasetId, new { dataset_id = datasetId, version = number, manifest_sha256 = manifest, file_count = files.Count }), ct);
        await tx.CommitAsync(ct);
        return CommitOutcome.Committed;
    }
}

/// <summary>The canonical manifest form and its hash (documented on <see cref="DatasetVersion.ManifestSha256"/>).</summary>
internal static class Manifest
{
    public static string Hash(IEnumerable<(string Path, long Size, byte[] Sha256)> files)
    {
        var text = new StringBuilder();
        foreach (var (path, size, sha) in files.OrderBy(f => Encoding.UTF8.GetBytes(f.Path), ByteOrder.Instance))
        {
            text.Append(Convert.ToHexStringLower(sha)).Append("  ").Append(size.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("  ").Append(path).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
