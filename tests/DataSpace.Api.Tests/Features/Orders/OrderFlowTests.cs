using Dapper;

namespace DataSpace.Api.Tests.Features.Orders;

public sealed class OrderFlowTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string File = "质检标注.jsonl";

    private sealed record Market(HttpClient Seller, HttpClient Buyer, Credentials BuyerOrg, HttpClient Operator, string Dataset, string Plan, int Terms);

    private async Task<Market> Open(string kind = "one_time", string? period = null, long price = 199_900)
    {
        var seller = await api.ClientFor(await api.OrganizationAsync("售卖数源单位", "source_unit"));
        var buyerOrg = await api.OrganizationAsync("购买模型方", "model_builder");
        var buyer = await api.ClientFor(buyerOrg);
        var dataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { [File] = "{\"label\":\"划痕\"}\n"u8.ToArray() }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(seller, dataset, price, kind, period, "仅限购买方内部模型训练，不得转售。");
        return new Market(seller, buyer, buyerOrg, await api.OperatorClient(), dataset, plan, terms);
    }

    private static Task<string> Accept(Market m) => OrderFlow.AcceptAsync(m.Buyer, m.Dataset, m.Terms);

    private async Task<List<(string Kind, long Amount)>> Ledger(string dataset)
    {
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        return [.. await conn.QueryAsync<(string, long)>("select kind, amount_fen from revenue_entries where dataset_id = @d order by occurred_at", new { d = Guid.Parse(dataset) })];
    }

    [Fact]
    public async Task A_deactivated_plan_takes_no_new_orders_and_paid_entitlements_stay()
    {
        var m = await Open();
        await Accept(m);
        var order = await OrderFlow.PlaceAsync(m.Buyer, m.Plan);
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 199_900, reference = "DEACT-" + order }, Ct)).AssertJson();

        await (await m.Buyer.PostAsync($"/v1/datasets/{m.Dataset}/plans/{m.Plan}/deactivate", null, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        await (await m.Seller.PostAsync($"/v1/datasets/{m.Dataset}/plans/{Guid.NewGuid()}/deactivate", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "plan_not_found");
        var plan = await (await m.Seller.PostAsync($"/v1/datasets/{m.Dataset}/plans/{m.Plan}/deactivate", null, Ct)).AssertJson();
        Assert.False(plan.GetProperty("active").GetBoolean());
        await (await m.Seller.PostAsync($"/v1/datasets/{m.Dataset}/plans/{m.Plan}/deactivate", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "plan_inactive");

        await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertProblem(HttpStatusCode.Conflict, "plan_inactive");
        Assert.Equal(HttpStatusCode.OK, (await m.Buyer.GetAsync(DatasetFlow.FileUrl(m.Dataset, 1, File), Ct)).StatusCode);
        var entitlements = await (await m.Buyer.GetAsync($"/v1/entitlements?dataset_id={m.Dataset}", Ct)).AssertJson();
        Assert.True(entitlements.GetProperty("items").EnumerateArray().Single().GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entitlements.GetProperty("next_cursor").ValueKind);

        var active = await (await m.Buyer.GetAsync($"/v1/datasets/{m.Dataset}/plans?active=true", Ct)).AssertJson();
        Assert.Empty(active.GetProperty("items").EnumerateArray());
        var all = await (await m.Buyer.GetAsync($"/v1/datasets/{m.Dataset}/plans?limit=1", Ct)).AssertJson();
        Assert.Equal(m.Plan, all.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_operator_lists_every_organisations_orders_awaiting_payment_and_others_only_their_own()
    {
        var m = await Open();
        await Accept(m);
        var pending = await OrderFlow.PlaceAsync(m.Buyer, m.Plan);
        var paid = await OrderFlow.PlaceAsync(m.Buyer, m.Plan);
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{paid}/payments", new { amount_fen = 199_900, reference = "QUEUE-" + paid }, Ct)).AssertJson();

        static async Task<List<string>> Ids(HttpClient client, string query) =>
            [.. (await (await client.GetAsync("/v1/orders" + query, Ct)).AssertJson()).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()!)];

        // The operator neither bought nor sold, yet its queue holds the unpaid order and not the paid one.
        var queue = await Ids(m.Operator, "?status=pending_payment&limit=100");
        Assert.Contains(pending, queue);
        Assert.DoesNotContain(paid, queue);
        Assert.Contains(paid, await Ids(m.Operator, "?status=paid&limit=100"));
        // Another organisation's list stays its own, status or not.
        var stranger = await api.ClientFor(await api.OrganizationAsync("无关模型方", "model_builder"));
        Assert.Empty(await Ids(stranger, "?status=pending_payment"));
        Assert.Empty(await Ids(stranger, ""));
        Assert.Equal([pending], await Ids(m.Buyer, "?status=pending_payment"));
        Assert.Equal(new[] { paid, pending }.Order(StringComparer.Ordinal), (await Ids(m.Seller, "")).Order(StringComparer.Ordinal));

        var bad = await (await m.Operator.GetAsync("/v1/orders?status=unpaid", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["status"], bad.ErrorFields());
    }

    [Fact]
    public async Task Plans_and_entitlements_page_with_cursors_like_every_list()
    {
        var m = await Open();
        var second = await (await m.Seller.PostAsJsonAsync($"/v1/datasets/{m.Dataset}/plans", new { kind = "subscription", period = "P1M", price_fen = 9_900 }, Ct))
            .AssertJson(HttpStatusCode.Created);
        var first = await (await m.Buyer.GetAsync($"/v1/datasets/{m.Dataset}/plans?limit=1", Ct)).AssertJson();
        var cursor = first.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var rest = await (await m.Buyer.GetAsync($"/v1/datasets/{m.Dataset}/plans?limit=1&cursor={cursor}", Ct)).AssertJson();
        Assert.Equal([m.Plan, second.GetProperty("id").GetString()!],
            [first.GetProperty("items")[0].GetProperty("id").GetString()!, rest.GetProperty("items")[0].GetProperty("id").GetString()!]);
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);

        var bad = await (await m.Buyer.GetAsync("/v1/entitlements?limit=0&dataset_id=x", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["dataset_id", "limit"], bad.ErrorFields().Order(StringComparer.Ordinal));
        var empty = await (await m.Buyer.GetAsync("/v1/entitlements", Ct)).AssertJson();
        Assert.Empty(empty.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Order_pay_download_refund_with_the_ledger_following()
    {
        var m = await Open();
        var url = DatasetFlow.FileUrl(m.Dataset, 1, File);
        await (await m.Buyer.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "entitlement_required");
        await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertProblem(HttpStatusCode.Conflict, "terms_not_accepted");
        Assert.Equal(64, (await Accept(m)).Length);
        var noKey = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(new { plan_id = m.Plan }) };
        await (await m.Buyer.SendAsync(noKey, Ct)).AssertProblem(HttpStatusCode.BadRequest, "idempotency_key_required");

        var order = await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created);
        var id = order.GetProperty("id").GetString();
        Assert.Equal("pending_payment", order.GetProperty("status").GetString());
        Assert.Equal(199_900, order.GetProperty("price_fen").GetInt64());
        Assert.Equal(m.Terms, order.GetProperty("terms_version").GetInt32());
        // Organisations are referred to as {id, name} everywhere, as a dataset's owner is.
        Assert.Equal(m.BuyerOrg.OrganizationId, order.GetProperty("buyer").GetProperty("id").GetString());
        var owner = (await (await m.Buyer.GetAsync($"/v1/datasets/{m.Dataset}", Ct)).AssertJson()).GetProperty("owner");
        Assert.Equal(owner.GetRawText(), order.GetProperty("seller").GetRawText());
        Assert.False(order.TryGetProperty("buyer_id", out _));
        await (await m.Buyer.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "entitlement_required");

        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_800, reference = "WX" + id }, Ct)).AssertProblem(HttpStatusCode.Conflict, "amount_mismatch");
        var paid = await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_900, reference = "WX" + id }, Ct)).AssertJson();
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await m.Buyer.GetAsync(url, Ct)).StatusCode);
        var entitlements = (await (await m.Buyer.GetAsync("/v1/entitlements", Ct)).AssertJson()).GetProperty("items");
        Assert.True(entitlements.EnumerateArray().Single().GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entitlements.EnumerateArray().Single().GetProperty("valid_until").ValueKind);

        var refunded = await (await m.Operator.PostAsync($"/v1/orders/{id}/refund", null, Ct)).AssertJson();
        Assert.Equal("refunded", refunded.GetProperty("status").GetString());
        await (await m.Buyer.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "entitlement_required");
        await (await m.Operator.PostAsync($"/v1/orders/{id}/refund", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "order_not_paid");
        Assert.Equal([("payment", 199_900L), ("refund", -199_900L)], await Ledger(m.Dataset));

        var month = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var revenue = await (await m.Seller.GetAsync($"/v1/revenue?from={month}&to={month}", Ct)).AssertJson();
        var line = revenue.GetProperty("lines").EnumerateArray().Single();
        Assert.Equal(m.Dataset, line.GetProperty("dataset_id").GetString());
        Assert.Equal(199_900, line.GetProperty("payments_fen").GetInt64());
        Assert.Equal(-199_900, line.GetProperty("refunds_fen").GetInt64());
        Assert.Equal(0, revenue.GetProperty("total_fen").GetInt64());
        await (await m.Seller.GetAsync("/v1/revenue?from=2026-13", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await m.Buyer.GetAsync("/v1/revenue", Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }

    [Fact]
    public async Task Fifty_identical_order_requests_give_one_order()
    {
        var m = await Open();
        await Accept(m);
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan, key), Ct)));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("select count(*) from orders where dataset_id = @d", new { d = Guid.Parse(m.Dataset) }));
        var replay = await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan, key), Ct);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Concurrent_payment_confirmations_give_one_entitlement_and_one_ledger_entry()
    {
        var m = await Open();
        await Accept(m);
        var id = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_900, reference = "ALI-" + id }, Ct)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("select count(*) from entitlements where order_id = @o", new { o = Guid.Parse(id!) }));
        Assert.Equal([("payment", 199_900L)], await Ledger(m.Dataset));
    }

    [Fact]
    public async Task A_payment_reference_pays_one_order_only()
    {
        var m = await Open();
        await Accept(m);
        var first = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var second = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var reference = "UNION-" + Guid.NewGuid().ToString("N");
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{first}/payments", new { amount_fen = 199_900, reference }, Ct)).AssertJson();
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{second}/payments", new { amount_fen = 199_900, reference }, Ct)).AssertProblem(HttpStatusCode.Conflict, "payment_reference_used");
    }

    [Theory]
    [InlineData("one_time", null, 0L, "price_fen")]
    [InlineData("one_time", null, -100L, "price_fen")]
    [InlineData("subscription", "P2W", 100L, "period")]
    [InlineData("subscription", null, 100L, "period")]
    [InlineData("rental", null, 100L, "kind")]
    public async Task Bad_plans_are_validation_problems(string kind, string? period, long price, string field)
    {
        var m = await Open();
        var problem = await (await m.Seller.PostAsJsonAsync($"/v1/datasets/{m.Dataset}/plans", new { kind, period, price_fen = price }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_plan_on_an_open_dataset_is_refused()
    {
        using var seller = await api.ClientFor(await api.OrganizationAsync("开放数据卖家", "source_unit"));
        var open = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() });
        var problem = await (await seller.PostAsJsonAsync($"/v1/datasets/{open}/plans", new { kind = "one_time", price_fen = 100 }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["access"], problem.ErrorFields());
    }

    [Fact]
    public async Task Ordering_a_withdrawn_dataset_is_refused_and_an_unpaid_order_can_be_cancelled()
    {
        var m = await Open();
        await Accept(m);
        var id = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        Assert.Equal("cancelled", (await (await m.Buyer.PostAsync($"/v1/orders/{id}/cancel", null, Ct)).AssertJson()).GetProperty("status").GetString());
        await (await m.Buyer.PostAsync($"/v1/orders/{id}/cancel", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "order_not_cancellable");
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_900, reference = "late-" + id }, Ct)).AssertProblem(HttpStatusCode.Conflict, "order_not_payable");
        await m.Seller.PostAsync($"/v1/datasets/{m.Dataset}/withdraw", null, Ct);
        await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_withdrawn");
    }

    [Fact]
    public async Task Changed_terms_must_be_accepted_again_before_downloading()
    {
        var m = await Open();
        await Accept(m);
        var id = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_900, reference = "T-" + id }, Ct)).AssertJson();
        var v2 = (await (await m.Seller.PutAsJsonAsync($"/v1/datasets/{m.Dataset}/terms", new { text = "第二版：增加署名要求。" }, Ct)).AssertJson()).GetProperty("version").GetInt32();
        var url = DatasetFlow.FileUrl(m.Dataset, 1, File);

        await (await m.Buyer.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "terms_not_accepted");
        await (await m.Buyer.PostAsJsonAsync($"/v1/datasets/{m.Dataset}/agreements", new { terms_version = m.Terms }, Ct)).AssertProblem(HttpStatusCode.Conflict, "terms_outdated");
        await (await m.Buyer.PostAsJsonAsync($"/v1/datasets/{m.Dataset}/agreements", new { terms_version = v2 }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await m.Buyer.GetAsync(url, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_subscription_opens_the_files_for_its_period_only()
    {
        var m = await Open("subscription", "P1M", 50_000);
        await Accept(m);
        var id = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 50_000, reference = "S-" + id }, Ct)).AssertJson();
        var url = DatasetFlow.FileUrl(m.Dataset, 1, File);
        Assert.Equal(HttpStatusCode.OK, (await m.Buyer.GetAsync(url, Ct)).StatusCode);

        api.Clock.Freeze(DateTimeOffset.UtcNow.AddDays(32));
        try
        {
            using var later = await api.ClientFor(m.BuyerOrg);
            await (await later.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "entitlement_required");
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    [Fact]
    public async Task Owners_cannot_order_their_own_data_and_the_ledger_is_append_only()
    {
        var m = await Open();
        using var sellerAsBuyer = await api.ClientFor(await api.OrganizationAsync("自买自卖", "source_unit", "model_builder"));
        var own = await DatasetFlow.PublishedAsync(sellerAsBuyer, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() }, "paid");
        var (_, plan) = await OrderFlow.OfferAsync(sellerAsBuyer, own, 100, terms: "条款");
        await (await sellerAsBuyer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertProblem(HttpStatusCode.Conflict, "own_dataset");

        await Accept(m);
        var id = (await (await m.Buyer.SendAsync(OrderFlow.OrderRequest(m.Plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await m.Operator.PostAsJsonAsync($"/v1/orders/{id}/payments", new { amount_fen = 199_900, reference = "L-" + id }, Ct)).AssertJson();
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("update revenue_entries set amount_fen = 1"));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("delete from revenue_entries"));
    }
}
