using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Listings;
using Npgsql;

namespace DataSpace.Api.Features.Listings;

/// <summary>
/// Assessors, their invitations and reports, listing applications with their objections, and the certificates issued on
/// verification. Ownership and state go into each statement's <c>where</c>, so a move that lost a race changes nothing.
/// </summary>
[FeatureService]
internal sealed class ListingStore(NpgsqlDataSource db, AuditChain audit)
{
    /// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record AssessorRow
    {
        public required Guid OrganizationId { get; init; }
        public required string Name { get; init; }
        public required string UnifiedSocialCreditCode { get; init; }
        public required string[] Kinds { get; init; }
        public required DateTime RegisteredAt { get; init; }
    }

    public sealed record InvitationRow(
        Guid Id, Guid DatasetId, string DatasetTitle, int Version, string ManifestSha256, Guid OwnerId, string OwnerName,
        Guid AssessorId, string AssessorName, string Kind, bool AllowFiles, DateTime CreatedAt);

    public sealed record ReportRow(
        Guid Id, Guid InvitationId, Guid DatasetId, int Version, string Kind, Guid AssessorId, string AssessorName, string AssessorCode,
        string ManifestSha256, string Grade, string Conclusion, string ReportNumber, string DocumentSha256, DateOnly ValidUntil, DateTime CreatedAt);

    public sealed record ListingRow(
        Guid Id, Guid DatasetId, string DatasetTitle, Guid OwnerId, string OwnerName, string OwnerCode, int Version, string ManifestSha256, string Status,
        string Fields, string? ReturnReason, DateTime? NoticeUntil, DateTime CreatedAt, DateTime UpdatedAt, DateTime? SubmittedAt, DateTime? DecidedAt,
        DateTime? RevokedAt, string? RevokedReason, string? CertificateNumber)
    {
        public bool Editable => Status is ListingStatuses.Draft or ListingStatuses.Returned;
    }

    public sealed record ObjectionRow(Guid Id, Guid ListingId, Guid FiledBy, string FiledByName, string Reasons, string Status, string? Resolution, DateTime FiledAt, DateTime? ResolvedAt);

    public sealed record CertificateRow(
        string Number, Guid ListingId, Guid DatasetId, string Body, string Sm2KeyId, byte[] Sm2Signature, string Ed25519KeyId, byte[] Ed25519Signature,
        DateTime IssuedAt, DateTime ValidUntil, string? RevokedBy, DateTime? RevokedAt, string? RevokedReason, DateTime? InForceUntil);

    // ---- Assessors -------------------------------------------------------------------------------------------------

    /// <summary>Registers (or re-registers with new kinds) an assessor, and gives its organisation the assessor role.</summary>
    public async Task<AssessorRow?> RegisterAssessorAsync(Guid organizationId, string[] kinds, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var updated = await conn.ExecuteAsync(new CommandDefinition("""
            update organizations set roles = case when 'assessor' = any(roles) then roles else array_append(roles, 'assessor') end where id = @organizationId
            """, new { organizationId }, tx, cancellationToken: ct));
        if (updated == 0)
        {
            return null;
        }

        await conn.ExecuteAsync(new CommandDefinition("""
            insert into assessors (organization_id, kinds, registered_by, registered_at) values (@organizationId, @kinds, @by, @now)
            on conflict (organization_id) do update set kinds = excluded.kinds, registered_by = excluded.registered_by, registered_at = excluded.registered_at
            """, new { organizationId, kinds, by = actor.OrganizationId, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "assessor", organizationId.ToString(), "registered", Details: new { kinds }), ct);
        await tx.CommitAsync(ct);
        return await FindAssessorAsync(organizationId, ct);
    }

    private const string AssessorSelect = """
        select a.organization_id, o.name, o.unified_social_credit_code, a.kinds, a.registered_at
        from assessors a join organizations o on o.id = a.organization_id
        """;

    public async Task<AssessorRow?> FindAssessorAsync(Guid organizationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AssessorRow>(new CommandDefinition(AssessorSelect + " where a.organization_id = @organizationId",
            new { organizationId }, cancellationToken: ct))).SingleOrDefault();
    }

    public async Task<IReadOnlyList<AssessorRow>> ListAssessorsAsync(Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<AssessorRow>(new CommandDefinition(AssessorSelect + """
             where (@after::uuid is null or a.organization_id > @after) order by a.organization_id limit @limit
            """, new { after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    // ---- Invitations and reports -----------------------------------------------------------------------------------

    private const string InvitationSelect = """
        select i.id, i.dataset_id, d.title as dataset_title, i.version, v.manifest_sha256, i.owner_id, ow.name as owner_name,
               i.assessor_id, ass.name as assessor_name, i.kind, i.allow_files, i.created_at
        from assessment_invitations i
        join datasets d on d.id = i.dataset_id
        join dataset_versions v on v.dataset_id = i.dataset_id and v.number = i.version
        join organizations ow on ow.id = i.owner_id
        join organizations ass on ass.id = i.assessor_id
        """;

    /// <summary>Invites (idempotently: the same dataset, version, assessor and kind answer the first invitation).</summary>
    public async Task<InvitationRow> InviteAsync(Guid datasetId, int version, Guid ownerId, Guid assessorId, string kind, bool allowFiles, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var created = await conn.ExecuteAsync(new CommandDefinition("""
            insert into assessment_invitations (id, dataset_id, version, owner_id, assessor_id, kind, allow_files, created_at)
            values (@id, @datasetId, @version, @ownerId, @assessorId, @kind, @allowFiles, @now)
            on conflict (dataset_id, version, assessor_id, kind) do nothing
            """, new { id, datasetId, version, ownerId, assessorId, kind, allowFiles, now }, tx, cancellationToken: ct));
        if (created == 1)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "assessment_invitation", id.ToString(), "created",
                Details: new { dataset_id = datasetId, version, assessor_id = assessorId, kind, allow_files = allowFiles }), ct);
        }

        await tx.CommitAsync(ct);
        return (await conn.QueryAsync<InvitationRow>(new CommandDefinition(InvitationSelect + """
             where i.dataset_id = @datasetId and i.version = @version and i.assessor_id = @assessorId and i.kind = @kind
            """, new { datasetId, version, assessorId, kind }, cancellationToken: ct))).Single();
    }

    /// <summary>An invitation the caller is party to (its owner or its assessor).</summary>
    public async Task<InvitationRow?> FindInvitationAsync(Guid id, Guid caller, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InvitationRow>(new CommandDefinition(InvitationSelect + " where i.id = @id and (i.owner_id = @caller or i.assessor_id = @caller)",
            new { id, caller }, cancellationToken: ct))).SingleOrDefault();
    }

    /// <summary>Invitations the caller received (as assessor) or sent (as owner), newest first by id.</summary>
    public async Task<IReadOnlyList<InvitationRow>> ListInvitationsAsync(Guid caller, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<InvitationRow>(new CommandDefinition(InvitationSelect + """
             where (i.assessor_id = @caller or i.owner_id = @caller) and (@after::uuid is null or i.id > @after) order by i.id limit @limit
            """, new { caller, after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The invitation of <paramref name="assessorId"/> for this version and kind, if there is one.</summary>
    public async Task<InvitationRow?> FindInvitationForAsync(Guid datasetId, int version, Guid assessorId, string kind, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InvitationRow>(new CommandDefinition(InvitationSelect + """
             where i.dataset_id = @datasetId and i.version = @version and i.assessor_id = @assessorId and i.kind = @kind
            """, new { datasetId, version, assessorId, kind }, cancellationToken: ct))).SingleOrDefault();
    }

    public async Task<IReadOnlyList<ReportRow>> ReportsOfInvitationAsync(Guid invitationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var ids = await conn.QueryAsync<Guid>(new CommandDefinition("select id from assessment_reports where invitation_id = @invitationId",
            new { invitationId }, cancellationToken: ct));
        return await ReportsAsync(conn, [.. ids], ct);
    }

    public async Task<ReportRow> AddReportAsync(InvitationRow invitation, string manifest, string grade, string conclusion, string number, string documentSha256,
        DateOnly validUntil, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into assessment_reports (id, invitation_id, manifest_sha256, grade, conclusion, report_number, document_sha256, valid_until, created_at)
            values (@id, @invitation, @manifest, @grade, @conclusion, @number, @documentSha256, @validUntil, @now)
            """, new { id, invitation = invitation.Id, manifest, grade, conclusion, number, documentSha256, validUntil, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, invitation.OwnerId, "assessment_report", id.ToString(), "created",
            Details: new { invitation_id = invitation.Id, kind = invitation.Kind, manifest_sha256 = manifest, grade, document_sha256 = documentSha256 }), ct);
        await tx.CommitAsync(ct);
        return (await ReportsAsync(conn, [id], ct)).Single();
    }

    private static async Task<IReadOnlyList<ReportRow>> ReportsAsync(NpgsqlConnection conn, Guid[] ids, CancellationToken ct) =>
        (await conn.QueryAsync<ReportRow>(new CommandDefinition("""
            select r.id, r.invitation_id, i.dataset_id, i.version, i.kind, i.assessor_id, o.name as assessor_name, o.unified_social_credit_code as assessor_code,
                   r.manifest_sha256, r.grade, r.conclusion, r.report_number, r.document_sha256, r.valid_until, r.created_at
            from assessment_reports r join assessment_invitations i on i.id = r.invitation_id join organizations o on o.id = i.assessor_id
            where r.id = any(@ids) order by i.kind, r.id
            """, new { ids }, cancellationToken: ct))).AsList();

    public async Task<IReadOnlyList<ReportRow>> ReportsAsync(Guid[] ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ReportsAsync(conn, ids, ct);
    }

    // ---- Listings ----------------------------------------------------------------------------------------------------

    private const string ListingSelect = """
        select l.id, l.dataset_id, d.title as dataset_title, l.owner_id, o.name as owner_name, o.unified_social_credit_code as owner_code, l.version,
               v.manifest_sha256, l.status, l.fields::text as fields, l.return_reason, l.notice_until, l.created_at, l.updated_at, l.submitted_at,
               l.decided_at, l.revoked_at, l.revoked_reason, c.number as certificate_number
        from listings l
        join datasets d on d.id = l.dataset_id
        join organizations o on o.id = l.owner_id
        join dataset_versions v on v.dataset_id = l.dataset_id and v.number = l.version
        left join listing_certificates c on c.listing_id = l.id
        """;

    /// <summary>Creates a draft application; null when the dataset already has one open or in force.</summary>
    public async Task<ListingRow?> CreateAsync(Guid datasetId, int version, Guid ownerId, string fields, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var created = await conn.ExecuteAsync(new CommandDefinition("""
            insert into listings (id, dataset_id, version, owner_id, status, fields, created_at, updated_at)
            values (@id, @datasetId, @version, @ownerId, 'draft', @fields::jsonb, @now, @now)
            on conflict (dataset_id) where status in ('draft', 'submitted', 'returned', 'verified') do nothing
            """, new { id, datasetId, version, ownerId, fields, now }, tx, cancellationToken: ct));
        if (created == 0)
        {
            return null;
        }

        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "listing", id.ToString(), "created", Details: new { dataset_id = datasetId, version }), ct);
        await tx.CommitAsync(ct);
        return await FindAsync(conn, id, ct);
    }

    private static async Task<ListingRow?> FindAsync(NpgsqlConnection conn, Guid id, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false) =>
        (await conn.QueryAsync<ListingRow>(new CommandDefinition(ListingSelect + " where l.id = @id" + (forUpdate ? " for update of l" : ""), new { id }, tx, cancellationToken: ct)))
        .SingleOrDefault();

    public async Task<ListingRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await FindAsync(conn, id, ct);
    }

    /// <summary>The owner's applications, or (reviewer) every submitted one, or (anyone) those under public notice, by id.</summary>
    public async Task<IReadOnlyList<ListingRow>> ListAsync(Guid? owner, string? status, bool underNotice, DateTimeOffset now, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ListingRow>(new CommandDefinition(ListingSelect + """
             where (@owner::uuid is null or l.owner_id = @owner) and (@status::text is null or l.status = @status)
               and (not @underNotice or (l.status = 'submitted' and l.notice_until > @now))
               and (@after::uuid is null or l.id > @after)
             order by l.id limit @limit
            """, new { owner, status, underNotice, now, after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<ObjectionRow>> ObjectionsAsync(Guid listingId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ObjectionsAsync(conn, listingId, null, ct);
    }

    private static async Task<IReadOnlyList<ObjectionRow>> ObjectionsAsync(NpgsqlConnection conn, Guid listingId, NpgsqlTransaction? tx, CancellationToken ct) =>
        (await conn.QueryAsync<ObjectionRow>(new CommandDefinition("""
            select j.id, j.listing_id, j.filed_by, o.name as filed_by_name, j.reasons, j.status, j.resolution, j.filed_at, j.resolved_at
            from listing_objections j join organizations o on o.id = j.filed_by where j.listing_id = @listingId order by j.filed_at, j.id
            """, new { listingId }, tx, cancellationToken: ct))).AsList();

    public enum Outcome { Done, NotFound, WrongState, Refused }

    /// <summary>
    /// Runs one workflow move under the listing's row lock: <paramref name="decide"/> sees the current row (and its open
    /// objections) and returns the SQL to apply and the audit action, or a refusal; nothing is written when it refuses.
    /// </summary>
    public async Task<(Outcome Outcome, ListingRow? Row, object? Refusal)> MoveAsync(
        Guid id, Guid? ownerId, AuditActor actor, Func<ListingRow, IReadOnlyList<ObjectionRow>, NpgsqlConnection, NpgsqlTransaction, Task<Move>> decide, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await FindAsync(conn, id, ct, tx, forUpdate: true);
        if (current is null || (ownerId is { } owner && current.OwnerId != owner))
        {
            return (Outcome.NotFound, null, null);
        }

        var move = await decide(current, await ObjectionsAsync(conn, id, tx, ct), conn, tx);
        if (move.Refusal is not null)
        {
            return (move.WrongState ? Outcome.WrongState : Outcome.Refused, current, move.Refusal);
        }

        await conn.ExecuteAsync(new CommandDefinition(move.Sql!, move.Parameters, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, current.OwnerId, move.ObjectType, move.ObjectId ?? id.ToString(), move.Action!, Details: move.Details), ct);
        await tx.CommitAsync(ct);
        return (Outcome.Done, await FindAsync(conn, id, ct), null);
    }

    /// <summary>What a move does: SQL with its parameters and the audit event, or a refusal (a problem) that writes nothing.</summary>
    public sealed record Move(string? Sql, object? Parameters, string? Action, object? Details = null, object? Refusal = null, bool WrongState = false,
        string ObjectType = "listing", string? ObjectId = null)
    {
        public static Move Refuse(object problem, bool wrongState = false) => new(null, null, null, Refusal: problem, WrongState: wrongState);
    }

    /// <summary>The next certificate number's sequence value, inside a move's transaction.</summary>
    public static Task<long> NextCertificateSequenceAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("select nextval('listing_certificate_seq')", transaction: tx, cancellationToken: ct));

    public sealed record OrganizationRow(Guid Id, string Name, string UnifiedSocialCreditCode);

    public async Task<OrganizationRow> OrganizationAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<OrganizationRow>(new CommandDefinition(
            "select id, name, unified_social_credit_code from organizations where id = @id", new { id }, cancellationToken: ct));
    }

    // ---- Exchange registrations ------------------------------------------------------------------------------------

    public sealed record RegistrationRow(Guid Id, string Exchange, string CertificateNumber, string Type, DateOnly RegisteredOn);

    public async Task AddRegistrationAsync(Guid datasetId, Guid ownerId, RegistrationRow r, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into dataset_exchange_registrations (id, dataset_id, exchange, certificate_number, type, registered_on, created_at)
            values (@Id, @datasetId, @Exchange, @CertificateNumber, @Type, @RegisteredOn, @now)
            """, new { r.Id, datasetId, r.Exchange, r.CertificateNumber, r.Type, r.RegisteredOn, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "dataset", datasetId.ToString(), "exchange_registration_added",
            Details: new { exchange = r.Exchange, certificate_number = r.CertificateNumber, type = r.Type }), ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<RegistrationRow>> RegistrationsAsync(Guid datasetId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RegistrationRow>(new CommandDefinition("""
            select id, exchange, certificate_number, type, registered_on from dataset_exchange_registrations
            where dataset_id = @datasetId order by registered_on, id
            """, new { datasetId }, cancellationToken: ct))).AsList();
    }

    // ---- Certificates ------------------------------------------------------------------------------------------------

    public async Task<CertificateRow?> CertificateAsync(string number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CertificateRow>(new CommandDefinition("""
            select c.number, c.listing_id, c.dataset_id, c.body, c.sm2_key_id, c.sm2_signature, c.ed25519_key_id, c.ed25519_signature, c.issued_at, c.valid_until,
                   v.revoked_by, v.revoked_at, v.revoked_reason, upper(v.in_force) as in_force_until
            from listing_certificates c join listing_certificate_validity v on v.number = c.number
            where c.number = @number
            """, new { number }, cancellationToken: ct));
    }

    /// <summary>Whether the dataset has a verified listing of <paramref name="version"/> whose certificate is in force now.</summary>
    public async Task<bool> ListedAsync(Guid datasetId, int version, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            select exists (select 1 from listing_certificate_validity c
                           where c.dataset_id = @datasetId and c.version = @version and upper(c.in_force) > @now)
            """, new { datasetId, version, now }, cancellationToken: ct));
    }
}
