namespace DataSpace.Contracts.Webhooks;

/// <summary>Registers an endpoint that receives the organisation's events, signed per Standard Webhooks.</summary>
public sealed record CreateWebhookEndpointRequest
{
    /// <summary>Where deliveries are POSTed: an https URL on a public address.</summary>
    public string? Url { get; init; }

    /// <summary>The event types to receive (see GET /v1/webhook-event-types); at least one.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>A note for the organisation's own use, up to 500 characters.</summary>
    public string? Description { get; init; }
}

/// <summary>A registered endpoint.</summary>
/// <param name="Id">The endpoint's id.</param>
/// <param name="Url">Where deliveries go.</param>
/// <param name="Events">The event types it receives.</param>
/// <param name="Description">The organisation's note.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="DisabledAt">When it was disabled (it then receives nothing); null while active.</param>
/// <param name="PreviousSecretValidUntil">After a rotation: until when deliveries are also signed with the previous secret.</param>
public sealed record WebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> Events, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt,
    DateTimeOffset? PreviousSecretValidUntil);

/// <summary>An endpoint with its signing secret, shown only in this answer.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="Secret">The Standard Webhooks signing secret: <c>whsec_</c> followed by base64 of 32 random bytes.</param>
public sealed record WebhookEndpointWithSecret(WebhookEndpoint Endpoint, string Secret);

/// <summary>One event's delivery to an endpoint, with its attempts.</summary>
/// <param name="Id">The delivery's id (for redelivery).</param>
/// <param name="EventId">The event's id, sent as <c>webhook-id</c>: the same on every attempt and redelivery, so receivers deduplicate by it.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Status">pending (an attempt is due at next_attempt_at), delivered (a 2xx answer) or failed (attempts exhausted).</param>
/// <param name="Attempts">How many attempts were made.</param>
/// <param name="NextAttemptAt">When the next attempt is due, while pending.</param>
/// <param name="DeliveredAt">When a receiver answered 2xx.</param>
/// <param name="CreatedAt">When the change that produced the event committed.</param>
/// <param name="Payload">The JSON body sent (type, timestamp, data).</param>
/// <param name="Log">Every attempt, oldest first.</param>
public sealed record WebhookDelivery(
    string Id, string EventId, string EventType, string Status, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt, System.Text.Json.JsonElement Payload, IReadOnlyList<WebhookAttempt> Log);

/// <summary>One attempt to deliver.</summary>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="Trigger">scheduled (first send or retry) or manual (a redelivery asked for).</param>
/// <param name="AttemptedAt">When it was sent.</param>
/// <param name="StatusCode">The receiver's HTTP status; null when there was no answer.</param>
/// <param name="Error">Why there was no answer (timeout, refused address, connection failure).</param>
/// <param name="ResponseExcerpt">The start of the receiver's answer (at most Webhooks:MaxResponseBytes).</param>
/// <param name="DurationMs">Milliseconds from sending to the answer's headers and excerpt.</param>
public sealed record WebhookAttempt(int Attempt, string Trigger, DateTimeOffset AttemptedAt, int? StatusCode, string? Error, string? ResponseExcerpt, int DurationMs);

/// <summary>An event type an endpoint may subscribe to.</summary>
/// <param name="Type">The type, as in the payload's <c>type</c>.</param>
/// <param name="Description">When it is sent, and to whom.</param>
public sealed record WebhookEventType(string Type, string Description);
