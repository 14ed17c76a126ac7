using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Orders;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Features.Orders;

[FeatureService]
internal sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>Shared secret of the payment provider's webhook (Payments__WebhookSecret); empty disables the webhook.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How far a delivery's timestamp may be from now (default 5 minutes).</summary>
    public TimeSpan WebhookWindow { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// <c>POST /v1/payment-webhooks</c>: a payment provider reports a payment. The request is authenticated by
/// <c>X-DataSpace-Signature: sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;</c> with
/// <c>X-DataSpace-Timestamp</c> (Unix seconds) within the window; a delivery is accepted once.
/// </summary>
internal static class PaymentWebhook
{
    public const string SignatureHeader = "X-DataSpace-Signature";
    public const string TimestampHeader = "X-DataSpace-Timestamp";
    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapPaymentWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/payment-webhooks", Receive).WithTags("Orders").WithName("ReceivePaymentWebhook")
            .WithSummary("A payment provider reports a payment, signed with HMAC-SHA256 over timestamp + '.' + body; replays and stale deliveries are refused")
            .AllowAnonymous()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBodyBytes))
            .WithMetadata(new OpenApi.DocumentedBody(typeof(PaymentNotification), "application/json"))
            .Produces<Order>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    private static async Task<IResult> Receive(HttpContext http, IOptions<PaymentOptions> options, OrderStore orders, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return Problem.Of(StatusCodes.Status503ServiceUnavailable, ProblemCodes.WebhooksNotConfigured, "Payment webhooks are not configured",
                "Set Payments:WebhookSecret to the secret shared with the payment provider.");
        }

        // The endpoint's request size limit bounds the bytes read here, declared or chunked (RequestIdAndLimits).
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        string? timestamp = http.Request.Headers[TimestampHeader];
        string? signature = http.Request.Headers[SignatureHeader];
        var now = clock.GetUtcNow();
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Sign(secret, timestamp, body)), Encoding.UTF8.GetBytes(signature)))
        {
            return Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.WebhookSignatureInvalid, "The notification's signature does not verify",
                $"Send {TimestampHeader} (Unix seconds) and {SignatureHeader}: sha256=<hex HMAC-SHA256 over timestamp + '.' + body>.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs((now - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799))).TotalSeconds) > options.Value.WebhookWindow.TotalSeconds)
        {
            return Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.WebhookTimestampOutOfWindow, "The notification is too old or from the future",
                $"Deliveries are accepted within {options.Value.WebhookWindow.TotalMinutes} minutes of their timestamp.");
        }

        PaymentNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize<PaymentNotification>(body, Json.RequestOptions);
        }
        catch (JsonException)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.MalformedJson, "The notification is not valid JSON");
        }

        var v = new Validation();
        var reference = v.RequiredText("reference", notification?.Reference, 200);
        if (notification?.AmountFen is not > 0)
        {
            v.Add("amount_fen", "must be a positive whole number of fen");
        }

        if (!Guid.TryParse(notification?.OrderId, out var orderId))
        {
            v.Add("order_id", "is not an order id");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // A delivery is used up only once it was accepted: one refused (unknown order, wrong amount, not payable yet)
        // can be delivered again once the cause is fixed. A second copy of an accepted one is a replay; two copies racing
        // cannot both pay, because the payment reference is recorded once.
        var delivery = SHA256.HashData(Encoding.UTF8.GetBytes(signature));
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from webhook_deliveries where signature_sha256 = @delivery)", new { delivery }, cancellationToken: ct)))
        {
            return Replayed();
        }

        var order = await orders.FindAsync(orderId, ct);
        if (order is null)
        {
            return Problem.NotFound(ProblemCodes.OrderNotFound, "Order not found", $"No order has id '{orderId}'.");
        }

        return await orders.ConfirmPaymentAsync(orderId, notification!.AmountFen!.Value, reference, "webhook", now, new AuditActor(null, "payment-webhook", http.TraceIdentifier), ct) switch
        {
            OrderStore.PaymentOutcome.AmountMismatch => Problem.Conflict(ProblemCodes.AmountMismatch, "The amount differs from the order", $"The order costs {order.PriceFen} fen."),
            OrderStore.PaymentOutcome.ReferenceUsed => Problem.Conflict(ProblemCodes.PaymentReferenceUsed, "That payment reference is already recorded"),
            OrderStore.PaymentOutcome.NotPayable => Problem.Conflict(ProblemCodes.OrderNotPayable, "The order is not waiting for payment", $"It is {order.Status}."),
            _ => await RecordDeliveryAsync(conn, delivery, now) ? (IResult)TypedResults.Ok((await orders.FindAsync(orderId, ct))!.ToContract()) : Replayed(),
        };
    }

    private static ProblemHttpResult Replayed() =>
        Problem.Conflict(ProblemCodes.WebhookReplayed, "This delivery was already received", "Each signed delivery is accepted once.");

    /// <summary>Marks the delivery used; false when another copy of it was marked first.</summary>
    private static async Task<bool> RecordDeliveryAsync(NpgsqlConnection conn, byte[] delivery, DateTimeOffset now) =>
        await conn.ExecuteAsync(new CommandDefinition(
            "insert into webhook_deliveries (signature_sha256, received_at) values (@delivery, @now) on conflict do nothing",
            new { delivery, now }, cancellationToken: CancellationToken.None)) == 1;
}
