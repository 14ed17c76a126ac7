using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Webhooks;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>An organisation's outbound webhook endpoints, their delivery log and manual redelivery.</summary>
internal static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // The event-type list is public knowledge to any catalog reader; the endpoints themselves need the webhooks scope.
        app.MapGroup("/v1").WithTags("Webhooks").RequireAuthorization(Policies.Catalog)
            .MapGet("/webhook-event-types", ListEventTypes).WithName("ListWebhookEventTypes")
            .WithSummary("The event types an endpoint may subscribe to, with when each is sent and to whom");
        var group = app.MapGroup("/v1").WithTags("Webhooks").RequireAuthorization(Policies.WebhookManager);
        group.MapPost("/webhook-endpoints", Create).WithName("CreateWebhookEndpoint")
            .WithSummary("Register an endpoint for chosen events (scope webhooks, as for every /v1/webhook-endpoints operation); its signing secret (Standard Webhooks, whsec_…) is shown only in this response")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/webhook-endpoints", List).WithName("ListWebhookEndpoints")
            .WithSummary("The organisation's endpoints, oldest first, without secrets")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/webhook-endpoints/{id}", Get).WithName("GetWebhookEndpoint")
            .WithSummary("One of the organisation's endpoints, without its secret")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/webhook-endpoints/{id}", Disable).WithName("DisableWebhookEndpoint")
            .WithSummary("Disable an endpoint: nothing more is delivered to it; its log stays readable")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/webhook-endpoints/{id}/rotate-secret", Rotate).WithName("RotateWebhookSecret")
            .WithSummary("Give an endpoint a new secret, shown only in this response; the previous one keeps signing beside it for Webhooks:RotationOverlapSeconds")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/webhook-endpoints/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The delivery log of an endpoint, newest first: each event's status and every attempt with its answer")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver", Redeliver).WithName("RedeliverWebhook")
            .WithSummary("Send a delivery again now, with the same webhook-id (also after it was delivered or given up)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Ok<IReadOnlyList<WebhookEventType>> ListEventTypes() =>
        TypedResults.Ok<IReadOnlyList<WebhookEventType>>([.. WebhookEventTypes.Descriptions.Select(d => new WebhookEventType(d.Key, d.Value))]);

    private static async Task<Results<Created<WebhookEndpointWithSecret>, ProblemHttpResult>> Create(
        CreateWebhookEndpointRequest request, HttpContext http, WebhookStore store, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        if (SafeEndpointHttp.RefuseUrl(request.Url, options.Value) is { } refused)
        {
            v.Add("url", refused);
        }

        var events = request.Events?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (events.Length == 0)
        {
            v.Add("events", "must name at least one event type");
        }

        foreach (var e in events.Where(e => !WebhookEventTypes.Descriptions.ContainsKey(e)))
        {
            v.Add("events", $"'{e}' is not an event type; types are {string.Join(" ", WebhookEventTypes.Descriptions.Keys)}");
        }

        var description = request.Description is null ? null : v.RequiredText("description", request.Description, 500);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var secret = WebhookSignature.NewSecret();
        var row = await store.CreateAsync(http.User.OrganizationId(), request.Url!, events, description, secret, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/webhook-endpoints/{row.Id}", new WebhookEndpointWithSecret(row.ToContract(), secret));
    }

    private static async Task<Results<Ok<Page<WebhookEndpoint>>, ProblemHttpResult>> List(
        HttpContext http, WebhookStore store, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ListAsync(http.User.OrganizationId(), after, size, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => r.ToContract(), r => Paging.CursorFor(r.Id)));
    }

    private static async Task<Results<Ok<WebhookEndpoint>, ProblemHttpResult>> Get(string id, HttpContext http, WebhookStore store, CancellationToken ct) =>
        await FindAsync(id, http, store, ct) is { } row ? TypedResults.Ok(row.ToContract()) : NotFound(id);

    private static async Task<Results<Ok<WebhookEndpoint>, ProblemHttpResult>> Disable(
        string id, HttpContext http, WebhookStore store, TimeProvider clock, CancellationToken ct) =>
        Guid.TryParse(id, out var g) && await store.DisableAsync(http.User.OrganizationId(), g, clock.GetUtcNow(), AuditActor.From(http), ct) is { } row
            ? TypedResults.Ok(row.ToContract())
            : NotFound(id);

    private static async Task<Results<Ok<WebhookEndpointWithSecret>, ProblemHttpResult>> Rotate(
        string id, HttpContext http, WebhookStore store, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var secret = WebhookSignature.NewSecret();
        var until = clock.GetUtcNow().AddSeconds(options.Value.RotationOverlapSeconds);
        return Guid.TryParse(id, out var g) && await store.RotateAsync(http.User.OrganizationId(), g, secret, until, AuditActor.From(http), ct) is { } row
            ? TypedResults.Ok(new WebhookEndpointWithSecret(row.ToContract(), secret))
            : NotFound(id);
    }

    private static async Task<Results<Ok<Page<WebhookDelivery>>, ProblemHttpResult>> Deliveries(
        string id, HttpContext http, WebhookStore store, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (before, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (await FindAsync(id, http, store, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        var (rows, attempts) = await store.DeliveriesAsync(endpoint.Id, before, size, null, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => ToContract(r, attempts[r.Id]), r => Paging.CursorFor(r.Id)));
    }

    private static async Task<Results<Accepted<WebhookDelivery>, ProblemHttpResult>> Redeliver(
        string id, string deliveryId, HttpContext http, WebhookStore store, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(id, http, store, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        if (!Guid.TryParse(deliveryId, out var d) || !await store.RedeliverAsync(endpoint.Id, d, clock.GetUtcNow(), AuditActor.From(http), endpoint.OrganizationId, ct))
        {
            return Problem.NotFound(ProblemCodes.WebhookDeliveryNotFound, "Delivery not found", $"Endpoint '{id}' has no delivery '{deliveryId}'.");
        }

        var (rows, attempts) = await store.DeliveriesAsync(endpoint.Id, null, 1, d, ct);
        return TypedResults.Accepted($"/v1/webhook-endpoints/{id}/deliveries", ToContract(rows[0], attempts[d]));
    }

    private static WebhookDelivery ToContract(WebhookStore.DeliveryRow r, IEnumerable<WebhookStore.AttemptRow> attempts) => new(
        r.Id.ToString(), r.EventId, r.EventType, r.Status, r.Attempts, r.Status == DeliveryStatuses.Pending ? Timestamps.Utc(r.NextAttemptAt) : null,
        r.DeliveredAt is { } at ? Timestamps.Utc(at) : null, Timestamps.Utc(r.CreatedAt),
        System.Text.Json.JsonDocument.Parse(r.Payload).RootElement.Clone(), [.. attempts.Select(a => a.ToContract())]);

    private static async Task<WebhookStore.EndpointRow?> FindAsync(string id, HttpContext http, WebhookStore store, CancellationToken ct) =>
        Guid.TryParse(id, out var g) ? await store.FindAsync(http.User.OrganizationId(), g, ct) : null;

    private static ProblemHttpResult NotFound(string id) =>
        Problem.NotFound(ProblemCodes.WebhookEndpointNotFound, "Webhook endpoint not found", $"Your organisation has no webhook endpoint '{id}'.");
}
