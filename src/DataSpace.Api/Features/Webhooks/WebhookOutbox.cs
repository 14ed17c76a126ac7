using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using DataSpace.Api.Http;
using Npgsql;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>The event types an endpoint may subscribe to, and who hears each.</summary>
[FeatureService]
internal static class WebhookEventTypes
{
    public const string VersionPublished = "version.published";
    public const string DatasetWithdrawn = "dataset.withdrawn";
    public const string OrderPaid = "order.paid";
    public const string EntitlementRevoked = "entitlement.revoked";
    public const string ConsentRequested = "consent.requested";
    public const string ConsentGranted = "consent.granted";
    public const string ConsentRevoked = "consent.revoked";
    public const string RecordVerified = "record.verified";
    public const string RecordReturned = "record.returned";
    public const string RewardRunApproved = "reward_run.approved";
    public const string DatasetUsed = "dataset.used";

    /// <summary>Every type, with when it is sent and to whom.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [VersionPublished] = "A version was committed: to the owner, holders of a current entitlement, and everyone when the dataset is open and published.",
        [DatasetWithdrawn] = "A dataset was withdrawn: to the owner and holders of a current entitlement.",
        [OrderPaid] = "An order was paid (the entitlement starts): to buyer and seller.",
        [EntitlementRevoked] = "An order was refunded and its entitlement revoked: to buyer and seller.",
        [ConsentRequested] = "An authority asked a unit for consent: to both.",
        [ConsentGranted] = "A consent was granted (directly or by approving a request): to grantor and grantee.",
        [ConsentRevoked] = "A consent was revoked: to grantor and grantee.",
        [RecordVerified] = "The bureau verified an asset-registration, DCMM or pilot record: to its unit.",
        [RecordReturned] = "The bureau returned a record with a reason: to its unit.",
        [RewardRunApproved] = "A reward run was approved and frozen: to the bureau and every unit in it.",
        [DatasetUsed] = "A complete download (a file's last byte sent) under a usage policy with the notify_owner duty: to the dataset's owner.",
    };

    /// <summary>Every type, in the order above (declared after it: static fields initialise in text order).</summary>
    public static readonly IReadOnlyList<string> All = [.. Descriptions.Keys];
}

/// <summary>
/// Which organisations' endpoints hear an event, resolved in SQL inside the change's transaction, so that the change site
/// passes only the id it already has.
/// </summary>
[FeatureService]
internal enum WebhookAudience
{
    /// <summary>Exactly the organisations given.</summary>
    Organizations,

    /// <summary>The dataset's owner and holders of a current entitlement to it; every organisation when it is open and published.</summary>
    DatasetFollowers,

    /// <summary>The order's buyer and seller.</summary>
    OrderParties,

    /// <summary>The consent's grantor and grantee.</summary>
    ConsentParties,

    /// <summary>The consent request's unit and requester.</summary>
    ConsentRequestParties,

    /// <summary>The bureau that ran the reward run and every unit in it.</summary>
    RewardRunParties,
}

/// <summary>An event to queue for webhook delivery.</summary>
/// <param name="Type">One of <see cref="WebhookEventTypes"/>.</param>
/// <param name="Audience">How to find who hears it.</param>
/// <param name="Key">The id <paramref name="Audience"/> is resolved from (dataset, order, consent, request or run); null for <see cref="WebhookAudience.Organizations"/>.</param>
/// <param name="Data">The payload's <c>data</c> object (serialised as snake_case JSON).</param>
/// <param name="Organizations">For <see cref="WebhookAudience.Organizations"/>: who hears it.</param>
[FeatureService]
internal sealed record WebhookEvent(string Type, WebhookAudience Audience, Guid? Key, object Data, Guid[]? Organizations = null)
{
    public static WebhookEvent For(string type, Guid[] organizations, object data) => new(type, WebhookAudience.Organizations, null, data, organizations);
}

/// <summary>
/// The durable outbox: <see cref="EnqueueAsync"/> runs inside the caller's transaction, so an event exists exactly when its
/// change committed, with one pending delivery per subscribed endpoint of its audience; <see cref="WebhookDispatcher"/> sends them.
/// </summary>
[FeatureService]
internal sealed class WebhookOutbox(TimeProvider clock)
{
    private static readonly Dictionary<WebhookAudience, string> AudienceSql = new()
    {
        [WebhookAudience.Organizations] = "select unnest(@organizations::uuid[])",
        [WebhookAudience.DatasetFollowers] = """
            select owner_id from datasets where id = @key
            union select organization_id from entitlements
                  where dataset_id = @key and revoked_at is null and valid_from <= @now and (valid_until is null or valid_until > @now)
            union select e.organization_id from webhook_endpoints e
                  where exists (select 1 from datasets d where d.id = @key and d.status = 'published' and d.access = 'open')
            """,
        [WebhookAudience.OrderParties] = "select buyer_id from orders where id = @key union select seller_id from orders where id = @key",
        [WebhookAudience.ConsentParties] = "select grantor_id from consents where id = @key union select grantee_id from consents where id = @key",
        [WebhookAudience.ConsentRequestParties] = "select unit_id from consent_requests where id = @key union select requester_id from consent_requests where id = @key",
        [WebhookAudience.RewardRunParties] = "select created_by from reward_runs where id = @key union select unit_id from reward_run_units where run_id = @key",
    };

    /// <summary>A Standard Webhooks message id: <c>msg_</c> and 128 random bits in base64url.</summary>
    public static string NewEventId() => "msg_" + Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));

    /// <summary>Writes the event and its deliveries in the caller's transaction; returns the event id (null when no endpoint listens).</summary>
    public async Task<string?> EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, WebhookEvent e, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = NewEventId();
        var payload = JsonSerializer.Serialize(new { type = e.Type, timestamp = now, data = e.Data }, Json.Options);
        // One statement: the event row only when some endpoint hears it, and its deliveries.
        var sql = $"""
            with audience as ({AudienceSql[e.Audience]}),
            targets as (
                select e.id from webhook_endpoints e
                where e.disabled_at is null and @type = any(e.events) and e.organization_id in (select * from audience)
            ),
            event as (
                insert into webhook_events (id, type, payload, occurred_at)
                select @id, @type, @payload::jsonb, @now where exists (select 1 from targets)
                returning id
            )
            insert into webhook_outbox (id, event_id, endpoint_id, status, next_attempt_at, created_at)
            select gen_random_uuid(), event.id, targets.id, 'pending', @now, @now from event cross join targets
            """;
        var queued = await conn.ExecuteAsync(new CommandDefinition(sql,
            new { id, type = e.Type, payload, now, key = e.Key, organizations = e.Organizations ?? [] }, tx, cancellationToken: ct));
        return queued > 0 ? id : null;
    }
}
