using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using Npgsql;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>Endpoints, the delivery log and redelivery; every query keeps to the caller's organisation.</summary>
internal sealed class WebhookStore(NpgsqlDataSource db, AuditChain audit)
{
    // Init properties, not a positional record: Dapper's constructor matching sees a text[] column as System.Array.
    public sealed record EndpointRow
    {
        public required Guid Id { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string Url { get; init; }
        public required string[] Events { get; init; }
        public string? Description { get; init; }
        public required DateTime CreatedAt { get; init; }
        public DateTime? DisabledAt { get; init; }
        public DateTime? PreviousSecretUntil { get; init; }

        public Contracts.Webhooks.WebhookEndpoint ToContract() => new(
            Id.ToString(), Url, Events, Description, Utc(CreatedAt), DisabledAt is { } d ? Utc(d) : null,
            PreviousSecretUntil is { } p ? Utc(p) : null);
    }

    public sealed record DeliveryRow(
        Guid Id, string EventId, string EventType, string Status, int Attempts, DateTime NextAttemptAt, DateTime? DeliveredAt, DateTime CreatedAt, string Payload);

    public sealed record AttemptRow(Guid OutboxId, int Attempt, string Trigger, DateTime AttemptedAt, int? StatusCode, string? Error, string? ResponseExcerpt, int DurationMs)
    {
        public Contracts.Webhooks.WebhookAttempt ToContract() => new(Attempt, Trigger, Utc(AttemptedAt), StatusCode, Error, ResponseExcerpt, DurationMs);
    }

    private static DateTimeOffset Utc(DateTime at) => Timestamps.Utc(at);

    private const string EndpointColumns = "id, organization_id, url, events, description, created_at, disabled_at, previous_secret_until";

    public async Task<EndpointRow> CreateAsync(Guid org, string url, string[] events, string? description, string secret, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<EndpointRow>(new CommandDefinition($"""
            insert into webhook_endpoints (id, organization_id, url, events, description, secret, created_at)
            values (@id, @org, @url, @events, @description, @secret, @now)
            returning {EndpointColumns}
            """, new { id = Guid.CreateVersion7(now), org, url, events, description, secret, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, org, "webhook_endpoint", row.Id.ToString(), "created", Details: new { url, events }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<EndpointRow?> FindAsync(Guid org, Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
            $"select {EndpointColumns} from webhook_endpoints where id = @id and organization_id = @org", new { id, org }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<EndpointRow>> ListAsync(Guid org, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<EndpointRow>(new CommandDefinition($"""
            select {EndpointColumns} from webhook_endpoints
            where organization_id = @org and (@after::uuid is null or id > @after) order by id limit @limit
            """, new { org, after, limit = limit + 1 }, cancellationToken: ct))).AsList();
    }

    /// <summary>Gives the endpoint a new secret; the current one keeps signing beside it until <paramref name="overlapUntil"/>. Null when not found or disabled.</summary>
    public async Task<EndpointRow?> RotateAsync(Guid org, Guid id, string secret, DateTimeOffset overlapUntil, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition($"""
            update webhook_endpoints set previous_secret = secret, previous_secret_until = @overlapUntil, secret = @secret
            where id = @id and organization_id = @org and disabled_at is null
            returning {EndpointColumns}
            """, new { id, org, secret, overlapUntil }, tx, cancellationToken: ct));
        if (row is not null)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, org, "webhook_endpoint", id.ToString(), "secret_rotated"), ct);
        }

        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>Disables the endpoint (it receives nothing more; its log stays). Null when not found.</summary>
    public async Task<EndpointRow?> DisableAsync(Guid org, Guid id, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition($"""
            update webhook_endpoints set disabled_at = coalesce(disabled_at, @now) where id = @id and organization_id = @org
            returning {EndpointColumns}
            """, new { id, org, now }, tx, cancellationToken: ct));
        if (row is not null)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, org, "webhook_endpoint", id.ToString(), "disabled"), ct);
        }

        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>The endpoint's deliveries, newest first, with their attempts.</summary>
    public async Task<(IReadOnlyList<DeliveryRow> Rows, ILookup<Guid, AttemptRow> Attempts)> DeliveriesAsync(Guid endpointId, Guid? before, int limit, Guid? only, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<DeliveryRow>(new CommandDefinition("""
            select o.id, o.event_id, v.type as event_type, o.status, o.attempts, o.next_attempt_at, o.delivered_at, o.created_at, v.payload::text as payload
            from webhook_outbox o join webhook_events v on v.id = o.event_id
            where o.endpoint_id = @endpointId and (@before::uuid is null or o.id < @before) and (@only::uuid is null or o.id = @only)
            order by o.id desc limit @limit
            """, new { endpointId, before, limit = limit + 1, only }, cancellationToken: ct))).AsList();
        var ids = rows.Select(r => r.Id).ToArray();
        var attempts = await conn.QueryAsync<AttemptRow>(new CommandDefinition("""
            select outbox_id, attempt, trigger, attempted_at, status_code, error, response_excerpt, duration_ms
            from webhook_attempts where outbox_id = any(@ids) order by outbox_id, attempt
            """, new { ids }, cancellationToken: ct));
        return (rows, attempts.ToLookup(a => a.OutboxId));
    }

    /// <summary>Queues the delivery again, due now (also after it was delivered or given up). False when not found.</summary>
    public async Task<bool> RedeliverAsync(Guid endpointId, Guid deliveryId, DateTimeOffset now, AuditActor actor, Guid org, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var queued = await conn.ExecuteAsync(new CommandDefinition("""
            update webhook_outbox set status = 'pending', next_attempt_at = @now, failures = 0, redeliver_requested_at = @now
            where id = @deliveryId and endpoint_id = @endpointId
            """, new { deliveryId, endpointId, now }, tx, cancellationToken: ct)) == 1;
        if (queued)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, org, "webhook_delivery", deliveryId.ToString(), "redelivery_requested"), ct);
        }

        await tx.CommitAsync(ct);
        return queued;
    }
}
