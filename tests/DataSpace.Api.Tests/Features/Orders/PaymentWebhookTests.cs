using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Tests.Features.Orders;

public sealed class PaymentWebhookTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A pending order of 88,800 fen.</summary>
    private async Task<string> PendingOrder()
    {
        using var seller = await api.ClientFor(await api.OrganizationAsync("回调卖家", "source_unit"));
        using var buyer = await api.ClientFor(await api.OrganizationAsync("回调买家", "model_builder"));
        var dataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(seller, dataset, 88_800, terms: "条款");
        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        return await OrderFlow.PlaceAsync(buyer, plan);
    }

    internal static HttpRequestMessage Delivery(string body, DateTimeOffset at, string? secret = DataSpaceApiFactory.WebhookSecret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? ""), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. bytes]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payment-webhooks") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("X-DataSpace-Timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("X-DataSpace-Signature", signature);
        return request;
    }

    internal static string Body(string order, long amount, string reference) =>
        JsonSerializer.Serialize(new { order_id = order, amount_fen = amount, reference });

    [Fact]
    public async Task A_signed_delivery_pays_the_order_once_and_a_replay_is_refused()
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        var body = Body(order, 88_800, "WXPAY-" + order);
        var at = DateTimeOffset.UtcNow;

        var paid = await (await http.SendAsync(Delivery(body, at), Ct)).AssertJson();
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        await (await http.SendAsync(Delivery(body, at), Ct)).AssertProblem(HttpStatusCode.Conflict, "webhook_replayed");

        // The provider retrying with a new delivery of the same payment is harmless.
        var retried = await (await http.SendAsync(Delivery(body, at.AddSeconds(5)), Ct)).AssertJson();
        Assert.Equal("paid", retried.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_refused_delivery_is_not_used_up_and_counts_once_its_cause_is_fixed()
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        var body = Body(order, 88_800, "LATER-" + order);
        var at = DateTimeOffset.UtcNow;
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        // The order is not waiting for payment when the delivery first arrives, and is again when it is retried.
        await Dapper.SqlMapper.ExecuteAsync(conn, "update orders set status = 'cancelled' where id = @id", new { id = Guid.Parse(order) });
        await (await http.SendAsync(Delivery(body, at), Ct)).AssertProblem(HttpStatusCode.Conflict, "order_not_payable");
        await Dapper.SqlMapper.ExecuteAsync(conn, "update orders set status = 'pending_payment' where id = @id", new { id = Guid.Parse(order) });

        var paid = await (await http.SendAsync(Delivery(body, at), Ct)).AssertJson();

        Assert.Equal("paid", paid.GetProperty("status").GetString());
        await (await http.SendAsync(Delivery(body, at), Ct)).AssertProblem(HttpStatusCode.Conflict, "webhook_replayed");
    }

    [Fact]
    public async Task A_chunked_delivery_above_16_KiB_is_413_and_changes_nothing()
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        var padded = JsonSerializer.Serialize(new { order_id = order, amount_fen = 88_800, reference = "PAD-" + order, padding = new string('x', 64 * 1024) });
        var request = Delivery(padded, DateTimeOffset.UtcNow);
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded)));
        content.Headers.ContentType = new("application/json");
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;

        await (await http.SendAsync(request, Ct)).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        using var op = await api.OperatorClient();
        Assert.Equal("pending_payment", (await (await op.GetAsync($"/v1/orders/{order}", Ct)).AssertJson()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_wrong_signature_or_secret_is_401_and_changes_nothing()
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        await (await http.SendAsync(Delivery(Body(order, 88_800, "X-" + order), DateTimeOffset.UtcNow, "not the secret"), Ct))
            .AssertProblem(HttpStatusCode.Unauthorized, "webhook_signature_invalid");
        var tampered = Delivery(Body(order, 88_800, "Y-" + order), DateTimeOffset.UtcNow);
        tampered.Content = new StringContent(Body(order, 1, "Y-" + order), Encoding.UTF8, "application/json");
        await (await http.SendAsync(tampered, Ct)).AssertProblem(HttpStatusCode.Unauthorized, "webhook_signature_invalid");
        using var op = await api.OperatorClient();
        Assert.Equal("pending_payment", (await (await op.GetAsync($"/v1/orders/{order}", Ct)).AssertJson()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task A_delivery_outside_the_five_minute_window_is_refused(int minutes)
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        await (await http.SendAsync(Delivery(Body(order, 88_800, "OLD-" + order), DateTimeOffset.UtcNow.AddMinutes(minutes)), Ct))
            .AssertProblem(HttpStatusCode.Unauthorized, "webhook_timestamp_out_of_window");
    }

    [Fact]
    public async Task A_different_amount_is_409_and_an_unknown_order_404()
    {
        var order = await PendingOrder();
        using var http = api.Anonymous();
        await (await http.SendAsync(Delivery(Body(order, 88_000, "AMT-" + order), DateTimeOffset.UtcNow), Ct)).AssertProblem(HttpStatusCode.Conflict, "amount_mismatch");
        await (await http.SendAsync(Delivery(Body(Guid.NewGuid().ToString(), 88_800, "NONE"), DateTimeOffset.UtcNow), Ct)).AssertProblem(HttpStatusCode.NotFound, "order_not_found");
        await (await http.SendAsync(Delivery("{\"order_id\": 5", DateTimeOffset.UtcNow), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
    }
}
