using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Webhooks;
using DataSpace.Contracts.Access;
using Npgsql;

namespace DataSpace.Api.Features.Access;

/// <summary>Access policies, access requests and grants: the SQL behind <see cref="AccessGate"/> and the access endpoints.</summary>
[FeatureService]
internal sealed class AccessStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    public const int DefaultSlaHours = 168;

    /// <summary>A dataset's access policy row (init members: Dapper binds array columns to properties, not constructors).</summary>
    public sealed record PolicyRow
    {
        public required Guid DatasetId { get; init; }
        public required string Policy { get; init; }
        public required int ReviewSlaHours { get; init; }
        public required string RequestFields { get; init; }
        public required Guid[] AutoApproveOrganizations { get; init; }
        public required string[] AutoApproveRoles { get; init; }
        public required string AutoApproveCertificates { get; init; }

        public IReadOnlyList<RequestField> Fields => System.Text.Json.JsonSerializer.Deserialize<RequestField[]>(RequestFields, FieldJson)!;

        public IReadOnlyList<AutoApproveCertificate> Certificates =>
            System.Text.Json.JsonSerializer.Deserialize<AutoApproveCertificate[]>(AutoApproveCertificates, FieldJson)!;

        public AccessPolicy ToContract() => new(DatasetId.ToString(), Policy, ReviewSlaHours, Fields,
            [.. AutoApproveOrganizations.Select(o => o.ToString())], AutoApproveRoles, Certificates);
    }

    internal static readonly System.Text.Json.JsonSerializerOptions FieldJson = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The current terms of a dataset and the organisation's agreement to them.</summary>
    public sealed record TermsState(int? Version, string? PolicyJson, string? PolicySha256, bool Accepted, string? Purpose)
    {
        public UsagePolicy? Policy => PolicyJson is null ? null : UsagePolicies.FromJson(PolicyJson);
    }

    public sealed record RequestRow(
        Guid Id, Guid DatasetId, Guid OwnerId, Guid RequesterId, string RequesterName, string Purpose, string UseCase, string Answers, string Contact,
        string Status, DateTime CreatedAt, DateTime ExpiresAt, DateTime? DecidedAt, string? Reason, Guid? PreviousId, Guid? GrantId)
    {
        public string StatusAt(DateTimeOffset now) => Status == AccessRequestStatuses.Pending && now.UtcDateTime >= ExpiresAt ? AccessRequestStatuses.Expired : Status;

        public AccessRequest ToContract(DateTimeOffset now) => new()
        {
            Id = Id.ToString(), DatasetId = DatasetId.ToString(), RequesterId = RequesterId.ToString(), RequesterName = RequesterName, Purpose = Purpose,
            UseCase = UseCase, Answers = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(Answers)!, Contact = Contact,
            Status = StatusAt(now), CreatedAt = Timestamps.Utc(CreatedAt), ExpiresAt = Timestamps.Utc(ExpiresAt),
            DecidedAt = DecidedAt is { } d ? Timestamps.Utc(d) : null, Reason = Reason, PreviousId = PreviousId?.ToString(), GrantId = GrantId?.ToString(),
        };
    }

    /// <summary>A grant row; init members, not a positional record, as Dapper cannot bind an integer[] column to a constructor.</summary>
    public sealed record GrantRow
    {
        public required Guid Id { get; init; }
        public required Guid DatasetId { get; init; }
        public required Guid OwnerId { get; init; }
        public required Guid GranteeId { get; init; }
        public required string GranteeName { get; init; }
        public required string Kind { get; init; }
        public Guid? RequestId { get; init; }
        public required string Purpose { get; init; }
        public DateTime? ValidUntil { get; init; }
        public int[]? Versions { get; init; }
        public required string Status { get; init; }
        public required DateTime CreatedAt { get; init; }
        public DateTime? AcceptedAt { get; init; }
        public DateTime? EndedAt { get; init; }
        public string? EndReason { get; init; }

        public string StatusAt(DateTimeOffset now) =>
            Status is GrantStatuses.Pending or GrantStatuses.Accepted && ValidUntil is { } u && now.UtcDateTime >= u ? GrantStatuses.Expired : Status;

        public Grant ToContract(DateTimeOffset now) => new()
        {
            Id = Id.ToString(), DatasetId = DatasetId.ToString(), OwnerId = OwnerId.ToString(), GranteeId = GranteeId.ToString(), GranteeName = GranteeName,
            Kind = Kind, RequestId = RequestId?.ToString(), Purpose = Purpose, ValidUntil = ValidUntil is { } u ? Timestamps.Utc(u) : null, Versions = Versions,
            Status = StatusAt(now), CreatedAt = Timestamps.Utc(CreatedAt), AcceptedAt = AcceptedAt is { } a ? Timestamps.Utc(a) : null,
            EndedAt = EndedAt is { } e ? Timestamps.Utc(e) : null, EndReason = EndReason,
        };
    }

    private const string SelectRequest = """
        select r.id, r.dataset_id, r.owner_id, r.requester_id, o.name as requester_name, r.purpose, r.use_case, r.answers::text as answers, r.contact,
               r.status, r.created_at, r.expires_at, r.decided_at, r.reason, r.previous_id, g.id as grant_id
        from access_requests r join organizations o on o.id = r.requester_id left join access_grants g on g.request_id = r.id
        """;

    private const string SelectGrant = """
        select g.id, g.dataset_id, g.owner_id, g.grantee_id, o.name as grantee_name, g.kind, g.request_id, g.purpose, g.valid_until, g.versions,
               g.status, g.created_at, g.accepted_at, g.ended_at, g.end_reason
        from access_grants g join organizations o on o.id = g.grantee_id
        """;

    public async Task<PolicyRow?> PolicyAsync(Guid datasetId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PolicyRow>(new CommandDefinition(
            "select " + PolicyColumns + " from dataset_access_policies where dataset_id = @datasetId",
            new { datasetId }, cancellationToken: ct));
    }

    /// <summary>The access policies the owners set for these datasets (absent: none set), in one query for a page of rows.</summary>
    public async Task<Dictionary<Guid, string>> PoliciesAsync(Guid[] datasetIds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(Guid DatasetId, string Policy)>(new CommandDefinition(
            "select dataset_id, policy from dataset_access_policies where dataset_id = any(@datasetIds)", new { datasetIds }, cancellationToken: ct)))
            .ToDictionary(p => p.DatasetId, p => p.Policy);
    }

    /// <summary>The approvals (newest first) each (dataset, organisation) pair holds, in one query for a page of rows.</summary>
    public async Task<ILookup<(Guid DatasetId, Guid GranteeId), GrantRow>> ApprovalsAsync(IReadOnlyCollection<(Guid DatasetId, Guid GranteeId)> pairs, CancellationToken ct)
    {
        var datasets = pairs.Select(p => p.DatasetId).ToArray();
        var grantees = pairs.Select(p => p.GranteeId).ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = pairs.Count == 0 ? [] : (await conn.QueryAsync<GrantRow>(new CommandDefinition(SelectGrant + """
             where g.kind = 'approval' and (g.dataset_id, g.grantee_id) in (select * from unnest(@datasets, @grantees))
             order by g.id desc
            """, new { datasets, grantees }, cancellationToken: ct))).AsList();
        return rows.ToLookup(g => (g.DatasetId, g.GranteeId));
    }

    private const string PolicyColumns = "dataset_id, policy, review_sla_hours, request_fields::text as request_fields, auto_approve_organizations, auto_approve_roles, " +
        "auto_approve_certificates::text as auto_approve_certificates";

    public async Task<PolicyRow> SetPolicyAsync(
        Guid datasetId, Guid ownerId, string policy, int slaHours, IReadOnlyList<RequestField> fields, Guid[] autoOrganizations, string[] autoRoles,
        IReadOnlyList<AutoApproveCertificate> autoCertificates, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(fields, FieldJson);
        var certificates = System.Text.Json.JsonSerializer.Serialize(autoCertificates, FieldJson);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<PolicyRow>(new CommandDefinition($"""
            insert into dataset_access_policies (dataset_id, policy, review_sla_hours, request_fields, auto_approve_organizations, auto_approve_roles,
                                                 auto_approve_certificates, updated_at)
            values (@datasetId, @policy, @slaHours, @json::jsonb, @autoOrganizations, @autoRoles, @certificates::jsonb, @now)
            on conflict (dataset_id) do update set policy = excluded.policy, review_sla_hours = excluded.review_sla_hours,
                request_fields = excluded.request_fields, auto_approve_organizations = excluded.auto_approve_organizations,
                auto_approve_roles = excluded.auto_approve_roles, auto_approve_certificates = excluded.auto_approve_certificates, updated_at = excluded.updated_at
            returning {PolicyColumns}
            """, new { datasetId, policy, slaHours, json, autoOrganizations, autoRoles, certificates, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "access_policy", datasetId.ToString(), "set", Details: new
        {
            policy, review_sla_hours = slaHours, auto_approve_organizations = autoOrganizations, auto_approve_roles = autoRoles,
            auto_approve_certificates = autoCertificates,
        }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<TermsState> TermsStateAsync(Guid datasetId, Guid organizationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TermsState>(new CommandDefinition("""
            select t.version, t.policy::text as policy_json, t.policy_sha256, a.organization_id is not null as accepted, a.purpose
            from (select version, policy, policy_sha256 from dataset_terms where dataset_id = @datasetId order by version desc limit 1) t
            left join agreements a on a.dataset_id = @datasetId and a.terms_version = t.version and a.organization_id = @organizationId
            """, new { datasetId, organizationId }, cancellationToken: ct)) ?? new TermsState(null, null, null, true, null);
    }

    /// <summary>Roles of an organisation (for policies evaluated on someone else's behalf: granting, approving).</summary>
    public async Task<string[]> RolesAsync(Guid organizationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string[]>(new CommandDefinition(
            "select roles from organizations where id = @organizationId", new { organizationId }, cancellationToken: ct)) ?? [];
    }

    /// <summary>
    /// Complete downloads of the dataset by the organisation: usage events that ended having sent a file's last byte
    /// (a whole file, or the final range of a resumed one).
    /// </summary>
    public async Task<long> CompleteDownloadsAsync(Guid organizationId, Guid datasetId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            select count(*) from usage_events u
            where u.consumer_id = @organizationId and u.dataset_id = @datasetId and u.status = 'completed'
              and (u.range_start is null or u.range_end = (select f.size - 1 from version_files f
                   where f.dataset_id = u.dataset_id and f.version_number = u.version_number and f.path = u.path))
            """, new { organizationId, datasetId }, cancellationToken: ct));
    }

    /// <summary>One complete download under a right whose usage policy has the notify_owner duty.</summary>
    public sealed record Use(
        Guid DatasetId, Guid OwnerId, Guid ConsumerId, int Version, string Path, string Basis, Guid? BasisId, string? Purpose,
        int? TermsVersion, string? PolicySha256, string RequestId);

    /// <summary>
    /// Carries out the notify_owner duty for one complete download: the owner's audit trail records the use, and a
    /// dataset.used event for the owner's webhook endpoints is queued in the same transaction.
    /// </summary>
    public async Task NotifyUseAsync(Use use, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var details = new
        {
            dataset_id = use.DatasetId, consumer_id = use.ConsumerId, version = use.Version, path = use.Path, basis = use.Basis, basis_id = use.BasisId,
            purpose = use.Purpose, terms_version = use.TermsVersion, policy_sha256 = use.PolicySha256, request_id = use.RequestId,
        };
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, use.OwnerId, "file", $"{use.DatasetId}/{use.Version}/{use.Path}", "used",
            use.Basis, use.BasisId?.ToString(), details), ct);
        await outbox.EnqueueAsync(conn, tx, WebhookEvent.For(WebhookEventTypes.DatasetUsed, [use.OwnerId], details), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A parent dataset of another organisation's whose usage policy the organisation accepted (any terms version).</summary>
    public sealed record AcceptedParentPolicy(Guid ParentId, string Title, int TermsVersion, string PolicyJson)
    {
        public UsagePolicy Policy => UsagePolicies.FromJson(PolicyJson);
    }

    /// <summary>
    /// The usage policies an organisation accepted for those of <paramref name="parents"/> it does not own: what binds it
    /// when it passes on data derived from them.
    /// </summary>
    public async Task<IReadOnlyList<AcceptedParentPolicy>> AcceptedParentPoliciesAsync(Guid organizationId, Guid[] parents, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AcceptedParentPolicy>(new CommandDefinition("""
            select d.id as parent_id, d.title, t.version as terms_version, t.policy::text as policy_json
            from agreements a
            join datasets d on d.id = a.dataset_id
            join dataset_terms t on t.dataset_id = a.dataset_id and t.version = a.terms_version
            where a.organization_id = @organizationId and a.dataset_id = any(@parents) and d.owner_id <> @organizationId and t.policy is not null
            order by d.id, t.version
            """, new { organizationId, parents }, cancellationToken: ct))).AsList();
    }

    public sealed record InvitationGrant(Guid Id, int Version, bool AllowFiles);

    /// <summary>The assessment invitations an organisation holds for a dataset (they stand until the dataset is withdrawn).</summary>
    public async Task<IReadOnlyList<InvitationGrant>> AssessmentInvitationsAsync(Guid datasetId, Guid assessorId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InvitationGrant>(new CommandDefinition("""
            select id, version, allow_files from assessment_invitations where dataset_id = @datasetId and assessor_id = @assessorId order by id
            """, new { datasetId, assessorId }, cancellationToken: ct))).AsList();
    }

    /// <summary>Files a request; null when the requester already has one waiting (pending and not expired).</summary>
    public async Task<RequestRow?> CreateRequestAsync(
        Guid datasetId, Guid ownerId, Guid requester, string clientId, string purpose, string useCase, IReadOnlyDictionary<string, string> answers, string contact,
        DateTimeOffset now, DateTimeOffset expiresAt, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("select 1 from datasets where id = @datasetId for update", new { datasetId }, tx, cancellationToken: ct));
        var latest = await conn.QuerySingleOrDefaultAsync<(Guid Id, string Status, DateTime ExpiresAt)?>(new CommandDefinition("""
            select id, status, expires_at from access_requests where dataset_id = @datasetId and requester_id = @requester order by id desc limit 1
            """, new { datasetId, requester }, tx, cancellationToken: ct));
        if (latest is { Status: AccessRequestStatuses.Pending } open && open.ExpiresAt > now.UtcDateTime)
        {
            return null;
        }

        await conn.ExecuteAsync(new CommandDefinition("""
            insert into access_requests (id, dataset_id, owner_id, requester_id, client_id, purpose, use_case, answers, contact, identity_disclosed,
                                         status, created_at, expires_at, previous_id)
            values (@id, @datasetId, @ownerId, @requester, @clientId, @purpose, @useCase, @answers::jsonb, @contact, true, 'pending', @now, @expiresAt, @previous)
            """, new
        {
            id, datasetId, ownerId, requester, clientId, purpose, useCase, answers = System.Text.Json.JsonSerializer.Serialize(answers), contact, now, expiresAt,
            previous = latest?.Id,
        }, tx, cancellationToken: ct));
        // The requester agreed to disclose its identity: the owner's trail names it.
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "access_request", id.ToString(), "filed", "access_request", id.ToString(),
            new { dataset_id = datasetId, purpose, previous_id = latest?.Id }), ct);
        await tx.CommitAsync(ct);
        return await FindRequestAsync(id, ct);
    }

    public async Task<RequestRow?> FindRequestAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(SelectRequest + " where r.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Requests of one dataset (owner's view) or of one requester (consumer's view), newest first.</summary>
    public async Task<IReadOnlyList<RequestRow>> RequestsAsync(Guid? datasetId, Guid? requester, Guid? before, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RequestRow>(new CommandDefinition(SelectRequest + """
             where (@datasetId::uuid is null or r.dataset_id = @datasetId) and (@requester::uuid is null or r.requester_id = @requester)
               and (@before::uuid is null or r.id < @before)
             order by r.id desc limit @limit
            """, new { datasetId, requester, before, limit }, cancellationToken: ct))).AsList();
    }

    public async Task<RequestRow?> LatestRequestAsync(Guid datasetId, Guid requester, CancellationToken ct) =>
        await RequestsAsync(datasetId, requester, null, 1, ct) is [var latest, ..] ? latest : null;

    /// <summary>
    /// The first of <paramref name="rules"/> the organisation satisfies, described for the audit trail (kind and the record
    /// or certificate that matched), or null: a record the bureau verified (its newest verified revision; a DCMM
    /// certificate only while valid on <paramref name="today"/>, at the rule's lowest level or above), or a listing
    /// certificate in force at <paramref name="now"/> of a verified, unrevoked listing of one of its datasets.
    /// </summary>
    public async Task<string?> CertificateMatchAsync(Guid organizationId, IReadOnlyList<AutoApproveCertificate> rules, DateTimeOffset now, DateOnly today, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var held = (await conn.QueryAsync<(string Kind, int? Level, string Reference)>(new CommandDefinition("""
            select r.kind, case when r.kind = 'dcmm_certificate' then (r.fields->>'level')::int end as level, r.id::text || '/' || r.revision as reference
            from records r
            where r.owner_id = @organizationId and r.status = 'verified'
              and (r.kind <> 'dcmm_certificate' or (r.fields->>'valid_until')::date >= @today)
            union all
            select 'listing_certificate', null, c.number
            from listings l join listing_certificates c on c.listing_id = l.id
            where l.owner_id = @organizationId and l.status = 'verified' and c.valid_until > @now
            """, new { organizationId, now, today }, cancellationToken: ct))).AsList();
        foreach (var rule in rules)
        {
            if (held.FirstOrDefault(h => h.Kind == rule.Kind && (rule.MinLevel is not { } min || h.Level >= min)) is { Reference: not null } match)
            {
                return $"{match.Kind} {match.Reference}";
            }
        }

        return null;
    }

    /// <summary>
    /// Approves a pending, unexpired request and opens its access; false when it was no longer pending. <paramref name="autoRule"/>
    /// names the owner's rule that approved it when filed (null: the owner's own decision).
    /// </summary>
    public async Task<bool> ApproveAsync(RequestRow request, DateTimeOffset? validUntil, int[]? versions, string? autoRule, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var decided = await conn.ExecuteAsync(new CommandDefinition("""
            update access_requests set status = 'approved', decided_at = @now where id = @Id and status = 'pending' and expires_at > @now
            """, new { request.Id, now }, tx, cancellationToken: ct)) == 1;
        if (!decided)
        {
            return false;
        }

        var grantId = Guid.CreateVersion7(now);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into access_grants (id, dataset_id, owner_id, grantee_id, kind, request_id, purpose, valid_until, versions, status, created_at, accepted_at)
            values (@grantId, @DatasetId, @OwnerId, @RequesterId, 'approval', @Id, @Purpose, @validUntil, @versions, 'accepted', @now, @now)
            """, new { grantId, request.DatasetId, request.OwnerId, request.RequesterId, request.Id, request.Purpose, validUntil, versions, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, request.OwnerId, "access_request", request.Id.ToString(), "approved", "access_grant", grantId.ToString(),
            new { valid_until = validUntil, versions, automatic = autoRule is not null, rule = autoRule }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> RejectAsync(RequestRow request, string reason, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var decided = await conn.ExecuteAsync(new CommandDefinition("""
            update access_requests set status = 'rejected', decided_at = @now, reason = @reason where id = @Id and status = 'pending' and expires_at > @now
            """, new { request.Id, now, reason }, tx, cancellationToken: ct)) == 1;
        if (decided)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, request.OwnerId, "access_request", request.Id.ToString(), "rejected", Details: new { reason }), ct);
        }

        await tx.CommitAsync(ct);
        return decided;
    }

    public async Task<GrantRow> CreateGrantAsync(Guid datasetId, Guid ownerId, Guid grantee, string purpose, DateTimeOffset validUntil, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into access_grants (id, dataset_id, owner_id, grantee_id, kind, purpose, valid_until, status, created_at)
            values (@id, @datasetId, @ownerId, @grantee, 'grant', @purpose, @validUntil, 'pending', @now)
            """, new { id, datasetId, ownerId, grantee, purpose, validUntil, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "access_grant", id.ToString(), "granted", "access_grant", id.ToString(),
            new { dataset_id = datasetId, grantee_id = grantee, purpose, valid_until = validUntil }), ct);
        await tx.CommitAsync(ct);
        return (await FindGrantAsync(id, ct))!;
    }

    public async Task<GrantRow?> FindGrantAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<GrantRow>(new CommandDefinition(SelectGrant + " where g.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Grants of one dataset (owner) and/or to one organisation, newest first.</summary>
    public async Task<IReadOnlyList<GrantRow>> GrantsAsync(Guid? datasetId, Guid? grantee, Guid? before, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<GrantRow>(new CommandDefinition(SelectGrant + """
             where (@datasetId::uuid is null or g.dataset_id = @datasetId) and (@grantee::uuid is null or g.grantee_id = @grantee)
               and (@before::uuid is null or g.id < @before)
             order by g.id desc limit @limit
            """, new { datasetId, grantee, before, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The receiver accepts a pending grant; when the dataset has terms, accepting the grant accepts their current version
    /// with the grant's purpose (an agreement, as an order needs one; an existing agreement stays as it is).
    /// </summary>
    public async Task<bool> AcceptGrantAsync(GrantRow grant, string clientId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var accepted = await conn.ExecuteAsync(new CommandDefinition("""
            update access_grants set status = 'accepted', accepted_at = @now where id = @Id and status = 'pending' and valid_until > @now
            """, new { grant.Id, now }, tx, cancellationToken: ct)) == 1;
        if (accepted)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                insert into agreements (dataset_id, terms_version, organization_id, client_id, accepted_at, purpose, policy_sha256)
                select dataset_id, version, @GranteeId, @clientId, @now, @Purpose, policy_sha256
                from dataset_terms where dataset_id = @DatasetId order by version desc limit 1
                on conflict (dataset_id, terms_version, organization_id) do nothing
                """, new { grant.DatasetId, grant.GranteeId, clientId, now, grant.Purpose }, tx, cancellationToken: ct));
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, grant.OwnerId, "access_grant", grant.Id.ToString(), "accepted", "access_grant", grant.Id.ToString()), ct);
        }

        await tx.CommitAsync(ct);
        return accepted;
    }

    /// <summary>Ends a pending or accepted grant: revoked by the owner or dropped by the holder. False when it had already ended.</summary>
    public async Task<bool> EndGrantAsync(GrantRow grant, string status, string? reason, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ended = await conn.ExecuteAsync(new CommandDefinition("""
            update access_grants set status = @status, ended_at = @now, end_reason = @reason where id = @Id and status in ('pending', 'accepted')
            """, new { grant.Id, status, now, reason }, tx, cancellationToken: ct)) == 1;
        if (ended)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, grant.OwnerId, "access_grant", grant.Id.ToString(), status, Details: new { reason }), ct);
        }

        await tx.CommitAsync(ct);
        return ended;
    }

    /// <summary>The holder gives up its own entitlement from an order; false when there is none of its own that is still unrevoked.</summary>
    public async Task<bool> DropEntitlementAsync(Guid entitlementId, Guid holder, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var owner = await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            update entitlements e set revoked_at = @now from datasets d
            where e.id = @entitlementId and e.organization_id = @holder and e.revoked_at is null and d.id = e.dataset_id
            returning d.owner_id
            """, new { entitlementId, holder, now }, tx, cancellationToken: ct));
        if (owner is { } ownerId)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "entitlement", entitlementId.ToString(), "dropped"), ct);
        }

        await tx.CommitAsync(ct);
        return owner is not null;
    }

    public sealed record EntitlementHolding(Guid Id, Guid DatasetId, Guid OrganizationId, string HolderName, DateTime ValidFrom, DateTime? ValidUntil, DateTime? RevokedAt);

    /// <summary>Up to <paramref name="limit"/> entitlements from orders older than <paramref name="before"/>, of one dataset (owner's view) or of one holder, newest first.</summary>
    public async Task<IReadOnlyList<EntitlementHolding>> EntitlementsAsync(Guid? datasetId, Guid? holder, Guid? before, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<EntitlementHolding>(new CommandDefinition("""
            select e.id, e.dataset_id, e.organization_id, o.name as holder_name, e.valid_from, e.valid_until, e.revoked_at
            from entitlements e join organizations o on o.id = e.organization_id
            where (@datasetId::uuid is null or e.dataset_id = @datasetId) and (@holder::uuid is null or e.organization_id = @holder)
              and (@before::uuid is null or e.id < @before)
            order by e.id desc limit @limit
            """, new { datasetId, holder, before, limit }, cancellationToken: ct))).AsList();
    }
}
