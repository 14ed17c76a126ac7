using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Records;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Records;

/// <summary>
/// The records table: every revision of every data asset, DCMM certificate and pilot, and the workflow moves between
/// their states. Ownership and state go into each statement's <c>where</c>, so a move that lost a race changes nothing.
/// </summary>
internal sealed class RecordStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    public sealed record RecordRow(
        Guid Id, int Revision, string Kind, Guid OwnerId, string Status, string Fields, string? ReturnReason,
        DateTime CreatedAt, DateTime UpdatedAt, DateTime? SubmittedAt, DateTime? DecidedAt, string? ContentSha256)
    {
        public bool Editable => Status is RecordStatuses.Draft or RecordStatuses.Returned;
    }

    /// <summary>Who is looking: the owner sees every revision, the bureau only what was submitted to it.</summary>
    public enum Viewer { Owner, Bureau, Consented }

    private const string Columns = "id, revision, kind, owner_id, status, fields::text as fields, return_reason, created_at, updated_at, submitted_at, decided_at, content_sha256";

    /// <summary>
    /// What the bureau reads of a revision: the fields as submitted (a returned revision's later edits and uploads stay
    /// the unit's until it resubmits), and no edit time after the bureau's last look.
    /// </summary>
    private const string SubmittedColumns = """
        id, revision, kind, owner_id, status, submitted_fields::text as fields, return_reason, created_at,
        case when status = 'returned' then decided_at else updated_at end as updated_at, submitted_at, decided_at, content_sha256
        """;

    private static string ColumnsFor(Viewer viewer) => viewer == Viewer.Bureau ? SubmittedColumns : Columns;

    private static string VisibleTo(Viewer viewer) => viewer switch
    {
        Viewer.Owner => "owner_id = @org",
        Viewer.Bureau => "submitted_at is not null",
        _ => "owner_id = @org",
    };

    public async Task<RecordRow> CreateAsync(RecordKind kind, Guid ownerId, string fields, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<RecordRow>(new CommandDefinition($"""
            insert into records (id, revision, kind, owner_id, status, fields, created_at, updated_at)
            values (@id, 1, @kind, @ownerId, 'draft', @fields::jsonb, @now, @now)
            returning {Columns}
            """, new { id, kind = kind.Name, ownerId, fields, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, kind.Name, $"{id}/1", "created"), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>The newest revision <paramref name="viewer"/> may see (org = the caller, for owners and consented readers).</summary>
    public async Task<RecordRow?> FindAsync(RecordKind kind, Guid id, Viewer viewer, Guid org, int? revision, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RecordRow>(new CommandDefinition($"""
            select {ColumnsFor(viewer)} from records
            where kind = @kind and id = @id and {VisibleTo(viewer)} and (@revision::int is null or revision = @revision)
            order by revision desc limit 1
            """, new { kind = kind.Name, id, org, revision }, cancellationToken: ct));
    }

    /// <summary>Newest visible revision per record, in id order (ids are time-ordered), after the cursor.</summary>
    public async Task<IReadOnlyList<RecordRow>> ListAsync(RecordKind kind, Viewer viewer, Guid org, Guid? unit, string? status, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<RecordRow>(new CommandDefinition($"""
            select * from (
                select distinct on (id) {ColumnsFor(viewer)} from records
                where kind = @kind and {VisibleTo(viewer)} and (@unit::uuid is null or owner_id = @unit) and (@after::uuid is null or id > @after)
                order by id, revision desc) latest
            where @status::text is null or status = @status
            order by id limit @limit
            """, new { kind = kind.Name, org, unit, status, after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Submitted revisions, oldest submission first.</summary>
    public async Task<IReadOnlyList<RecordRow>> ReviewQueueAsync(RecordKind kind, DateTime? afterAt, Guid? afterId, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<RecordRow>(new CommandDefinition($"""
            select {Columns} from records
            where kind = @kind and status = 'submitted'
              and (@afterAt::timestamptz is null or (submitted_at, id) > (@afterAt, @afterId))
            order by submitted_at, id limit @limit
            """, new { kind = kind.Name, afterAt, afterId, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Every revision the bureau ever verified (verified or superseded since), oldest verification first.</summary>
    public async Task<IReadOnlyList<RecordRow>> VerifiedHistoryAsync(RecordKind kind, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<RecordRow>(new CommandDefinition($"""
            select {Columns} from records
            where kind = @kind and status in ('verified', 'superseded')
            order by decided_at, id, revision
            """, new { kind = kind.Name }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>A listing certificate of one of these datasets, with the span it was in force (the assessment-fee subsidy's criterion).</summary>
    public sealed record CertificateSpan(Guid DatasetId, string Number, DateTime IssuedAt, DateTime ValidUntil);

    /// <summary>
    /// The listing certificates of these datasets that still count, with the span each is in force (view
    /// listing_certificate_validity: a revoked listing or a withdrawn dataset revokes a certificate, as GET /v1/certificates/{number} says).
    /// </summary>
    public async Task<IReadOnlyList<CertificateSpan>> CertificatesOfAsync(Guid[] datasetIds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CertificateSpan>(new CommandDefinition("""
            select c.dataset_id, c.number, lower(c.in_force) as issued_at, upper(c.in_force) as valid_until
            from listing_certificate_validity c
            where c.dataset_id = any(@datasetIds) and not isempty(c.in_force)
            order by c.issued_at desc, c.number desc
            """, new { datasetIds }, cancellationToken: ct))).AsList();
    }

    /// <summary>The outcome of a change a caller computes from the current revision.</summary>
    public sealed record Change(string? Fields, string Action, object? Details = null);

    public enum ChangeOutcome { Changed, NotFound, NotEditable, Refused }

    /// <summary>
    /// Changes the open (draft or returned) revision of the owner's record under a row lock: <paramref name="change"/>
    /// sees the current fields and returns the new ones (null refuses the change, which then writes nothing).
    /// </summary>
    public async Task<(ChangeOutcome Outcome, RecordRow? Row)> ChangeAsync(
        RecordKind kind, Guid id, Guid ownerId, DateTimeOffset now, AuditActor actor,
        Func<RecordRow, NpgsqlConnection, NpgsqlTransaction, Task<Change?>> change, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await conn.QuerySingleOrDefaultAsync<RecordRow>(new CommandDefinition($"""
            select {Columns} from records where kind = @kind and id = @id and owner_id = @ownerId
            order by revision desc limit 1 for update
            """, new { kind = kind.Name, id, ownerId }, tx, cancellationToken: ct));
        if (current is null)
        {
            return (ChangeOutcome.NotFound, null);
        }

        if (!current.Editable)
        {
            return (ChangeOutcome.NotEditable, current);
        }

        var result = await change(current, conn, tx);
        if (result?.Fields is null)
        {
            return (ChangeOutcome.Refused, current);
        }

        var row = await conn.QuerySingleAsync<RecordRow>(new CommandDefinition($"""
            update records set fields = @fields::jsonb, updated_at = @now where id = @id and revision = @revision
            returning {Columns}
            """, new { fields = result.Fields, now, id, revision = current.Revision }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, kind.Name, $"{id}/{current.Revision}", result.Action, Details: result.Details), ct);
        await tx.CommitAsync(ct);
        return (ChangeOutcome.Changed, row);
    }

    public enum MoveOutcome { Moved, NotFound, WrongState }

    /// <summary>draft or returned → submitted (owner): shares the revision with the bureau.</summary>
    public Task<(MoveOutcome, RecordRow?)> SubmitAsync(RecordKind kind, Guid id, Guid ownerId, DateTimeOffset now, AuditActor actor, CancellationToken ct) =>
        MoveAsync(kind, id, ownerId, [RecordStatuses.Draft, RecordStatuses.Returned], """
            update records set status = 'submitted', submitted_at = @now, submitted_fields = fields, updated_at = @now, return_reason = null, decided_at = null, decided_by = null
            where id = @id and revision = @revision
            """, RecordStatuses.Submitted, null, now, actor, null, ct);

    /// <summary>submitted → returned with a reason (bureau).</summary>
    public Task<(MoveOutcome, RecordRow?)> ReturnAsync(RecordKind kind, Guid id, string reason, DateTimeOffset now, AuditActor actor, CancellationToken ct) =>
        MoveAsync(kind, id, null, [RecordStatuses.Submitted], """
            update records set status = 'returned', return_reason = @reason, decided_at = @now, decided_by = @by, updated_at = @now
            where id = @id and revision = @revision
            """, RecordStatuses.Returned, reason, now, actor, new { reason }, ct);

    /// <summary>submitted → verified (bureau): frozen with the hash of its fields; an older verified revision becomes superseded.</summary>
    public Task<(MoveOutcome, RecordRow?)> VerifyAsync(RecordKind kind, Guid id, DateTimeOffset now, AuditActor actor, CancellationToken ct) =>
        MoveAsync(kind, id, null, [RecordStatuses.Submitted], """
            update records set status = 'superseded' where id = @id and status = 'verified' and revision < @revision;
            update records set status = 'verified', decided_at = @now, decided_by = @by, updated_at = @now,
                   content_sha256 = encode(sha256(convert_to(fields::text, 'UTF8')), 'hex')
            where id = @id and revision = @revision
            """, RecordStatuses.Verified, null, now, actor, null, ct);

    /// <summary>verified → a new draft revision with the same fields (owner): the verified one stays as it is until the new one is verified.</summary>
    public async Task<(MoveOutcome, RecordRow?)> ReviseAsync(RecordKind kind, Guid id, Guid ownerId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LatestForUpdateAsync(conn, tx, kind, id, ownerId, ct);
        if (current is null)
        {
            return (MoveOutcome.NotFound, null);
        }

        if (current.Status != RecordStatuses.Verified)
        {
            return (MoveOutcome.WrongState, current);
        }

        var row = await conn.QuerySingleAsync<RecordRow>(new CommandDefinition($"""
            insert into records (id, revision, kind, owner_id, status, fields, created_at, updated_at)
            select id, revision + 1, kind, owner_id, 'draft', fields, @now, @now from records where id = @id and revision = @revision
            returning {Columns}
            """, new { id, revision = current.Revision, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, current.OwnerId, kind.Name, $"{id}/{row.Revision}", "revision_opened",
            Details: new { from_revision = current.Revision }), ct);
        await tx.CommitAsync(ct);
        return (MoveOutcome.Moved, row);
    }

    private async Task<(MoveOutcome, RecordRow?)> MoveAsync(
        RecordKind kind, Guid id, Guid? ownerId, string[] from, string sql, string action, string? reason, DateTimeOffset now, AuditActor actor, object? details, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LatestForUpdateAsync(conn, tx, kind, id, ownerId, ct);
        if (current is null || (ownerId is null && current.SubmittedAt is null && current.Status != RecordStatuses.Submitted))
        {
            return (MoveOutcome.NotFound, null);
        }

        if (!from.Contains(current.Status))
        {
            return (MoveOutcome.WrongState, current);
        }

        await conn.ExecuteAsync(new CommandDefinition(sql, new { id, revision = current.Revision, now, reason, by = actor.OrganizationId }, tx, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<RecordRow>(new CommandDefinition($"select {Columns} from records where id = @id and revision = @revision",
            new { id, revision = current.Revision }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, current.OwnerId, kind.Name, $"{id}/{current.Revision}", action,
            Details: details ?? (row.ContentSha256 is { } hash ? new { content_sha256 = hash } : null)), ct);
        if (action is RecordStatuses.Verified or RecordStatuses.Returned) { await outbox.EnqueueAsync(conn, tx, WebhookEvent.For("record." + action, [current.OwnerId], new { kind = kind.Name, record_id = id, revision = current.Revision, reason, content_sha256 = row.ContentSha256 }), ct); }
        await tx.CommitAsync(ct);
        return (MoveOutcome.Moved, row);
    }

    private static Task<RecordRow?> LatestForUpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RecordKind kind, Guid id, Guid? ownerId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<RecordRow>(new CommandDefinition($"""
            select {Columns} from records where kind = @kind and id = @id and (@ownerId::uuid is null or owner_id = @ownerId)
            order by revision desc limit 1 for update
            """, new { kind = kind.Name, id, ownerId }, tx, cancellationToken: ct));

    // ---- Files ---------------------------------------------------------------------------------------------------

    public sealed record FileRow(Guid Id, Guid OwnerId, Guid RecordId, string FileName, long Size, byte[] Sha256, string ContentType, string BlobKey, string? Damage = null);

    /// <summary>
    /// Records an uploaded file inside a change's transaction. Returns whether this upload's blob became the stored copy
    /// of its content (if not, the caller deletes its duplicate): new content, or content whose stored copy was found damaged,
    /// which this upload (hashed as it arrived) restores.
    /// </summary>
    public static async Task<bool> RecordFileAsync(NpgsqlConnection conn, NpgsqlTransaction tx, FileRow file, DateTimeOffset now, CancellationToken ct)
    {
        var kept = await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            with inserted as (
                insert into blobs (sha256, blob_key, size, created_at) values (@Sha256, @BlobKey, @Size, @now)
                on conflict (sha256) do update set blob_key = excluded.blob_key, damage = null, damaged_at = null, verified_at = @now
                    where blobs.damage is not null
                returning 1)
            select exists (select 1 from inserted)
            """, new { file.Sha256, file.BlobKey, file.Size, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into record_files (id, owner_id, record_id, file_name, size, sha256, content_type, created_at)
            values (@Id, @OwnerId, @RecordId, @FileName, @Size, @Sha256, @ContentType, @now)
            """, new { file.Id, file.OwnerId, file.RecordId, file.FileName, file.Size, file.Sha256, file.ContentType, now }, tx, cancellationToken: ct));
        return kept;
    }

    public async Task<FileRow?> FileAsync(Guid recordId, Guid fileId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<FileRow>(new CommandDefinition("""
            select f.id, f.owner_id, f.record_id, f.file_name, f.size, f.sha256, f.content_type, b.blob_key, b.damage
            from record_files f join blobs b on b.sha256 = f.sha256
            where f.record_id = @recordId and f.id = @fileId
            """, new { recordId, fileId }, cancellationToken: ct));
    }

    /// <summary>The owner's datasets among <paramref name="ids"/>.</summary>
    public async Task<HashSet<Guid>> OwnedDatasetsAsync(Guid ownerId, Guid[] ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var owned = await conn.QueryAsync<Guid>(new CommandDefinition(
            "select id from datasets where owner_id = @ownerId and id = any(@ids)", new { ownerId, ids }, cancellationToken: ct));
        return [.. owned];
    }

    // ---- Policies ------------------------------------------------------------------------------------------------

    public sealed record PolicyRow(Guid Id, string Kind, string Fields, Guid CreatedBy, DateTime CreatedAt);

    public async Task<PolicyRow> CreatePolicyAsync(string kind, string fields, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<PolicyRow>(new CommandDefinition("""
            insert into record_policies (id, kind, fields, created_by, created_at) values (@id, @kind, @fields::jsonb, @by, @now)
            returning id, kind, fields::text as fields, created_by, created_at
            """, new { id, kind, fields, by = actor.OrganizationId, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, actor.OrganizationId, kind + "_policy", id.ToString(), "created", Details: new { fields }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>A policy by id, or the newest of its kind when <paramref name="id"/> is null.</summary>
    public async Task<PolicyRow?> FindPolicyAsync(string kind, Guid? id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PolicyRow>(new CommandDefinition("""
            select id, kind, fields::text as fields, created_by, created_at from record_policies
            where kind = @kind and (@id::uuid is null or id = @id) order by created_at desc, id desc limit 1
            """, new { kind, id }, cancellationToken: ct));
    }

    /// <summary>Names and credit codes of organisations, for exports.</summary>
    public async Task<Dictionary<Guid, (string Name, string CreditCode)>> UnitsAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid Id, string Name, string Code)>(new CommandDefinition(
            "select id, name, unified_social_credit_code from organizations where id = any(@ids)", new { ids = ids.Distinct().ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => (r.Name, r.Code));
    }
}
