using System.ComponentModel.DataAnnotations;
using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Consents;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Consents;

internal sealed class ConsentOptions
{
    public const string Section = "Consents";

    /// <summary>How long a request for consent waits for an answer (Consents__RequestLifetime, default 30 days).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = "Set Consents:RequestLifetime between 01:00:00 and 365.00:00:00.")]
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromDays(30);
}

internal sealed class ConsentRequestStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    public sealed record RequestRow : ConsentTermsRow
    {
        public required Guid RequesterId { get; init; }
        public required string RequesterName { get; init; }
        public required Guid UnitId { get; init; }
        public required string UnitName { get; init; }
        public required string Status { get; init; }
        public required DateTime ExpiresAt { get; init; }
        public DateTime? DecidedAt { get; init; }
        public string? DecisionReason { get; init; }
        public Guid? ConsentId { get; init; }

        /// <summary>A pending request past its expiry reads as expired.</summary>
        public string StatusAt(DateTimeOffset now) => Status == ConsentRequestStatuses.Pending && now.UtcDateTime >= ExpiresAt ? ConsentRequestStatuses.Expired : Status;

        public ConsentRequest ToContract(DateTimeOffset now) => new()
        {
            Id = Id.ToString(),
            Requester = new DataSpace.Contracts.Common.OrganizationRef(RequesterId.ToString(), RequesterName),
            Unit = new DataSpace.Contracts.Common.OrganizationRef(UnitId.ToString(), UnitName),
            Categories = Categories,
            AllDatasets = AllDatasets,
            DatasetIds = [.. DatasetIds.Select(d => d.ToString())],
            Purpose = new ConsentPurpose(PurposeCode, PurposeText),
            LegalBasis = LegalBasis,
            ValidFrom = Timestamps.Utc(ValidFrom),
            ValidUntil = Timestamps.Utc(ValidUntil),
            Status = StatusAt(now),
            ExpiresAt = Timestamps.Utc(ExpiresAt),
            DecidedAt = DecidedAt is { } d ? Timestamps.Utc(d) : null,
            DecisionReason = DecisionReason,
            ConsentId = ConsentId?.ToString(),
            CreatedAt = Timestamps.Utc(CreatedAt),
        };
    }

    private const string Select = """
        select r.id, r.requester_id, q.name as requester_name, r.unit_id, u.name as unit_name, r.categories, r.all_datasets, r.dataset_ids,
               r.purpose_code, r.purpose_text, r.legal_basis, r.valid_from, r.valid_until, r.status, r.expires_at, r.decided_at,
               r.decision_reason, r.consent_id, r.created_at
        from consent_requests r join organizations q on q.id = r.requester_id join organizations u on u.id = r.unit_id
        """;

    public async Task<RequestRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(Select + " where r.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<RequestRow>> ListAsync(Guid org, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RequestRow>(new CommandDefinition(Select + """
             where (r.requester_id = @org or r.unit_id = @org) and (@after::uuid is null or r.id < @after) order by r.id desc limit @limit
            """, new { org, after, limit }, cancellationToken: ct))).AsList();
    }

    public async Task<Guid> CreateAsync(Guid requester, Guid unit, ConsentTerms t, DateTimeOffset now, DateTimeOffset expiresAt, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into consent_requests (id, requester_id, unit_id, categories, all_datasets, dataset_ids, purpose_code, purpose_text, legal_basis,
                                          valid_from, valid_until, status, expires_at, created_at)
            values (@id, @requester, @unit, @Categories, @AllDatasets, @DatasetIds, @PurposeCode, @PurposeText, @LegalBasis,
                    @ValidFrom, @ValidUntil, 'pending', @expiresAt, @now)
            """, new
        {
            id, requester, unit, t.Categories, t.AllDatasets, t.DatasetIds, t.PurposeCode, t.PurposeText, t.LegalBasis,
            t.ValidFrom, t.ValidUntil, expiresAt, now,
        }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, unit, "consent_request", id.ToString(), "requested",
            Details: new { requester, t.Categories, t.AllDatasets, t.DatasetIds, t.PurposeCode }), ct);
        await outbox.EnqueueAsync(conn, tx, WebhookEvent.For(WebhookEventTypes.ConsentRequested, [unit, requester], new { consent_request_id = id, requester_id = requester, unit_id = unit, t.Categories, t.AllDatasets, t.DatasetIds, t.PurposeCode, expires_at = expiresAt }), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    public enum Outcome { Done, NotPending, Expired }

    /// <summary>Approves a pending request by granting <paramref name="terms"/> (already checked not to widen it), in one transaction.</summary>
    public async Task<(Outcome Outcome, Guid? ConsentId)> ApproveAsync(RequestRow request, ConsentTerms terms, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var outcome = await LockPendingAsync(conn, tx, request.Id, now, ct);
        if (outcome != Outcome.Done)
        {
            return (outcome, null);
        }

        var consentId = await ConsentStore.InsertAsync(conn, tx, request.UnitId, request.RequesterId, terms, request.Id, now, ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "update consent_requests set status = 'approved', decided_at = @now, consent_id = @consentId where id = @id",
            new { now, consentId, id = request.Id }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, request.UnitId, "consent_request", request.Id.ToString(), "approved", Details: new { consent_id = consentId }), ct);
        await audit.AppendAsync(conn, tx, ConsentStore.GrantedEvent(actor, request.UnitId, request.RequesterId, consentId, terms, request.Id), ct);
        await outbox.EnqueueAsync(conn, tx, ConsentStore.GrantedWebhook(request.UnitId, request.RequesterId, consentId, terms, request.Id), ct);
        await tx.CommitAsync(ct);
        return (Outcome.Done, consentId);
    }

    public async Task<Outcome> RejectAsync(RequestRow request, string reason, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var outcome = await LockPendingAsync(conn, tx, request.Id, now, ct);
        if (outcome != Outcome.Done)
        {
            return outcome;
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "update consent_requests set status = 'rejected', decided_at = @now, decision_reason = @reason where id = @id",
            new { now, reason, id = request.Id }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, request.UnitId, "consent_request", request.Id.ToString(), "rejected", Details: new { reason }), ct);
        await tx.CommitAsync(ct);
        return Outcome.Done;
    }

    private static async Task<Outcome> LockPendingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var state = await conn.QuerySingleAsync<(string Status, DateTime ExpiresAt)>(new CommandDefinition(
            "select status, expires_at from consent_requests where id = @id for update", new { id }, tx, cancellationToken: ct));
        return state.Status != ConsentRequestStatuses.Pending ? Outcome.NotPending : now.UtcDateTime >= state.ExpiresAt ? Outcome.Expired : Outcome.Done;
    }
}
