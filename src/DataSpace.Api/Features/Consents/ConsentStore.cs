using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Consents;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Consents;

internal sealed class ConsentStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    public sealed record ConsentRow : ConsentTermsRow
    {
        public required Guid GrantorId { get; init; }
        public required string GrantorName { get; init; }
        public required Guid GranteeId { get; init; }
        public required string GranteeName { get; init; }
        public Guid? RequestId { get; init; }
        public DateTime? RevokedAt { get; init; }
        public string? RevokeReason { get; init; }

        public string StatusAt(DateTimeOffset now) =>
            RevokedAt is not null && RevokedAt <= now.UtcDateTime ? ConsentStatuses.Revoked
            : now.UtcDateTime < ValidFrom ? ConsentStatuses.NotYetValid
            : now.UtcDateTime >= ValidUntil ? ConsentStatuses.Expired
            : ConsentStatuses.Active;

        public bool Covers(string category, Guid? datasetId) =>
            Categories.Contains(category) && (datasetId is null || AllDatasets || DatasetIds.Contains(datasetId.Value));

        public Consent ToContract(DateTimeOffset now) => new()
        {
            Id = Id.ToString(),
            Grantor = new DataSpace.Contracts.Common.OrganizationRef(GrantorId.ToString(), GrantorName),
            Grantee = new DataSpace.Contracts.Common.OrganizationRef(GranteeId.ToString(), GranteeName),
            Categories = Categories,
            AllDatasets = AllDatasets,
            DatasetIds = [.. DatasetIds.Select(d => d.ToString())],
            Purpose = new ConsentPurpose(PurposeCode, PurposeText),
            LegalBasis = LegalBasis,
            ValidFrom = Timestamps.Utc(ValidFrom),
            ValidUntil = Timestamps.Utc(ValidUntil),
            Status = StatusAt(now),
            RequestId = RequestId?.ToString(),
            CreatedAt = Timestamps.Utc(CreatedAt),
            RevokedAt = RevokedAt is { } r ? Timestamps.Utc(r) : null,
            RevokeReason = RevokeReason,
        };
    }

    private const string Select = """
        select c.id, c.grantor_id, g.name as grantor_name, c.grantee_id, e.name as grantee_name, c.categories, c.all_datasets, c.dataset_ids,
               c.purpose_code, c.purpose_text, c.legal_basis, c.valid_from, c.valid_until, c.request_id, c.created_at, c.revoked_at, c.revoke_reason
        from consents c join organizations g on g.id = c.grantor_id join organizations e on e.id = c.grantee_id
        """;

    public async Task<ConsentRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ConsentRow>(new CommandDefinition(Select + " where c.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Consents the organisation granted or received (or one direction), newest first.</summary>
    public async Task<IReadOnlyList<ConsentRow>> ListAsync(Guid org, string? direction, Guid? after, int limit, CancellationToken ct)
    {
        var sql = Select + $"""
             where ({direction switch
             {
                 "granted" => "c.grantor_id = @org",
                 "received" => "c.grantee_id = @org",
                 _ => "(c.grantor_id = @org or c.grantee_id = @org)",
             }}) and (@after::uuid is null or c.id < @after)
             order by c.id desc limit @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ConsentRow>(new CommandDefinition(sql, new { org, after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>Every consent from a unit to a grantee, whatever its state: the gate decides, and explains refusals.</summary>
    public async Task<IReadOnlyList<ConsentRow>> BetweenAsync(Guid grantee, Guid grantor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ConsentRow>(new CommandDefinition(
            Select + " where c.grantee_id = @grantee and c.grantor_id = @grantor", new { grantee, grantor }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Whether <paramref name="unit"/> is a source unit, and every consent from it to the grantee, in one round trip: the
    /// two questions every authority read asks before it reads anything.
    /// </summary>
    public async Task<(bool IsSourceUnit, IReadOnlyList<ConsentRow> Consents)> UnitAndConsentsAsync(Guid grantee, Guid unit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        using var results = await conn.QueryMultipleAsync(new CommandDefinition(
            "select exists (select 1 from organizations where id = @unit and 'source_unit' = any(roles));\n" +
            Select + " where c.grantee_id = @grantee and c.grantor_id = @unit", new { grantee, unit }, cancellationToken: ct));
        var isUnit = await results.ReadSingleAsync<bool>();
        return (isUnit, (await results.ReadAsync<ConsentRow>()).AsList());
    }

    /// <summary>Ids among <paramref name="ids"/> that are not datasets of <paramref name="owner"/>.</summary>
    public async Task<IReadOnlyList<Guid>> NotOwnedAsync(Guid[] ids, Guid owner, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var owned = await conn.QueryAsync<Guid>(new CommandDefinition("select id from datasets where id = any(@ids) and owner_id = @owner", new { ids, owner }, cancellationToken: ct));
        return [.. ids.Except(owned)];
    }

    public async Task<Guid> GrantAsync(Guid grantor, Guid grantee, ConsentTerms t, Guid? requestId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await InsertAsync(conn, tx, grantor, grantee, t, requestId, now, ct);
        await audit.AppendAsync(conn, tx, GrantedEvent(actor, grantor, grantee, id, t, requestId), ct);
        await outbox.EnqueueAsync(conn, tx, GrantedWebhook(grantor, grantee, id, t, requestId), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    internal static async Task<Guid> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid grantor, Guid grantee, ConsentTerms t, Guid? requestId, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into consents (id, grantor_id, grantee_id, categories, all_datasets, dataset_ids, purpose_code, purpose_text, legal_basis,
                                  valid_from, valid_until, request_id, created_at)
            values (@id, @grantor, @grantee, @Categories, @AllDatasets, @DatasetIds, @PurposeCode, @PurposeText, @LegalBasis,
                    @ValidFrom, @ValidUntil, @requestId, @now)
            """, new
        {
            id, grantor, grantee, t.Categories, t.AllDatasets, t.DatasetIds, t.PurposeCode, t.PurposeText, t.LegalBasis,
            t.ValidFrom, t.ValidUntil, requestId, now,
        }, tx, cancellationToken: ct));
        return id;
    }

    internal static AuditEntry GrantedEvent(AuditActor actor, Guid grantor, Guid grantee, Guid id, ConsentTerms t, Guid? requestId) =>
        new(actor, grantor, "consent", id.ToString(), "granted", Details: new
        {
            grantee,
            t.Categories,
            t.AllDatasets,
            t.DatasetIds,
            t.PurposeCode,
            valid_from = t.ValidFrom,
            valid_until = t.ValidUntil,
            request_id = requestId,
        });

    internal static WebhookEvent GrantedWebhook(Guid grantor, Guid grantee, Guid id, ConsentTerms t, Guid? requestId) =>
        WebhookEvent.For(WebhookEventTypes.ConsentGranted, [grantor, grantee], new
        {
            consent_id = id, grantor_id = grantor, grantee_id = grantee, t.Categories, t.AllDatasets, t.DatasetIds, t.PurposeCode,
            valid_from = t.ValidFrom, valid_until = t.ValidUntil, request_id = requestId,
        });

    /// <summary>Revokes at <paramref name="now"/>; false when it was already revoked.</summary>
    public async Task<bool> RevokeAsync(Guid id, Guid grantor, string reason, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var revoked = await conn.ExecuteAsync(new CommandDefinition(
            "update consents set revoked_at = @now, revoke_reason = @reason where id = @id and grantor_id = @grantor and revoked_at is null",
            new { id, grantor, reason, now }, tx, cancellationToken: ct)) == 1;
        if (revoked)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, grantor, "consent", id.ToString(), "revoked", Details: new { reason }), ct);
            await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.ConsentRevoked, WebhookAudience.ConsentParties, id, new { consent_id = id, grantor_id = grantor, reason }), ct);
        }

        await tx.CommitAsync(ct);
        return revoked;
    }
}
