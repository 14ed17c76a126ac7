namespace DataSpace.Api.Tests.Features.Webhooks;

/// <summary>An API whose dispatcher may send to the loopback receiver of the tests, over http, polling quickly.</summary>
public sealed class LoopbackWebhookApi() : IAsyncLifetime
{
    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory()
        .WithSetting("Webhooks:AllowHttp", "true")
        .WithSetting("Webhooks:AllowPrivateNetworks", "true")
        .WithSetting("Webhooks:PollMilliseconds", "50")
        .WithSetting("Webhooks:FirstBackoffSeconds", "1");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed class WebhookTests(LoopbackWebhookApi fixture) : IClassFixture<LoopbackWebhookApi>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataSpaceApiFactory Api => fixture.Api;

    internal static async Task<(string Id, string Secret)> RegisterAsync(HttpClient org, Uri url, params string[] events)
    {
        var created = await (await org.PostAsJsonAsync("/v1/webhook-endpoints", new { url = url.ToString(), events, description = "测试接收端" }, Ct)).AssertJson(HttpStatusCode.Created);
        return (created.GetProperty("endpoint").GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    internal static async Task<JsonElement> DeliveriesAsync(HttpClient org, string endpointId) =>
        (await (await org.GetAsync($"/v1/webhook-endpoints/{endpointId}/deliveries", Ct)).AssertJson()).GetProperty("items");

    /// <summary>Waits (a hang detector) until the endpoint's log shows <paramref name="count"/> deliveries satisfying <paramref name="match"/>.</summary>
    internal static async Task<JsonElement> LogUntilAsync(HttpClient org, string endpointId, Func<JsonElement, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var items = await DeliveriesAsync(org, endpointId);
            if (items.EnumerateArray().Count(match) >= count || DateTime.UtcNow > deadline)
            {
                return items;
            }

            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task Consent_events_reach_both_parties_signed_per_Standard_Webhooks_and_verified_by_the_reference_library()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var unitOrg = await Api.OrganizationAsync("灯饰数源单位 webhook", "source_unit");
        var bureauOrg = await Api.OrganizationAsync("数据局 webhook", "data_bureau");
        using var unit = await Api.ClientFor(unitOrg);
        using var bureau = await Api.ClientFor(bureauOrg);
        var (unitEndpoint, unitSecret) = await RegisterAsync(unit, receiver.Url("/unit"), "consent.granted", "consent.revoked");
        var (_, bureauSecret) = await RegisterAsync(bureau, receiver.Url("/bureau"), "consent.granted", "consent.revoked");

        var consentId = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));
        await (await unit.PostAsJsonAsync($"/v1/consents/{consentId}/revoke", new { reason = "合作结束" }, Ct)).AssertJson();

        var got = await receiver.WaitForAsync(r => r.Payload.GetProperty("data").GetProperty("consent_id").GetString() == consentId, 4);
        Assert.Equal(4, got.Count);
        Assert.Equal(["consent.granted", "consent.granted", "consent.revoked", "consent.revoked"],
            got.Select(r => r.Payload.GetProperty("type").GetString()!).Order(StringComparer.Ordinal));
        var ids = await WebhookReceiver.VerifyAllAsync(got.Select(r => (r, r.Path == "/unit" ? unitSecret : bureauSecret)), Ct);
        Assert.Equal(4, ids.Count);
        Assert.All(got, r => Assert.Matches("^msg_[A-Za-z0-9_-]{22}$", r.Id));
        // Each party's copy of one change carries the same id; the two changes have different ids.
        Assert.Equal(2, got.Select(r => r.Id).Distinct().Count());

        // A secret of the other endpoint does not verify: the check can fail.
        var wrong = await WebhookReceiver.VerifyAsync([(got.First(r => r.Path == "/unit"), bureauSecret)], Ct);
        Assert.Equal(1, wrong.ExitCode);

        var log = await LogUntilAsync(unit, unitEndpoint, d => d.GetProperty("status").GetString() == "delivered", 2);
        Assert.All(log.EnumerateArray(), d =>
        {
            Assert.Equal("delivered", d.GetProperty("status").GetString());
            var attempt = Assert.Single(d.GetProperty("log").EnumerateArray());
            Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
            Assert.Equal("answer 200", attempt.GetProperty("response_excerpt").GetString());
            Assert.Equal("scheduled", attempt.GetProperty("trigger").GetString());
        });
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_under_the_same_id_and_a_manual_redelivery_sends_it_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Answer = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1 ? 500 : 202);
        var owner = await Api.OrganizationAsync("重试数源单位", "source_unit");
        using var client = await Api.ClientFor(owner);
        var (endpoint, secret) = await RegisterAsync(client, receiver.Url("/retry"), "version.published");

        var datasetId = await DatasetFlow.PublishedAsync(client, new Dictionary<string, byte[]> { ["a.csv"] = "x,y\n1,2\n"u8.ToArray() });

        var got = await receiver.WaitForAsync(_ => true, 2);
        Assert.Equal(got[0].Id, got[1].Id);
        Assert.Equal(datasetId, got[1].Payload.GetProperty("data").GetProperty("dataset_id").GetString());
        Assert.Equal(1, got[1].Payload.GetProperty("data").GetProperty("version").GetInt32());

        var log = await LogUntilAsync(client, endpoint, d => d.GetProperty("status").GetString() == "delivered");
        var delivery = Assert.Single(log.EnumerateArray());
        Assert.Equal([500, 202], delivery.GetProperty("log").EnumerateArray().Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Equal(got[0].Id, delivery.GetProperty("event_id").GetString());

        var redelivered = await (await client.PostAsync($"/v1/webhook-endpoints/{endpoint}/deliveries/{delivery.GetProperty("id").GetString()}/redeliver", null, Ct))
            .AssertJson(HttpStatusCode.Accepted);
        Assert.Equal("pending", redelivered.GetProperty("status").GetString());
        var third = await receiver.WaitForAsync(_ => true, 3);
        Assert.Equal(got[0].Id, third[2].Id);
        await WebhookReceiver.VerifyAllAsync(third.Select(r => (r, secret)), Ct);
        log = await LogUntilAsync(client, endpoint, d => d.GetProperty("log").GetArrayLength() == 3);
        Assert.Equal(["scheduled", "scheduled", "manual"], Assert.Single(log.EnumerateArray()).GetProperty("log").EnumerateArray().Select(a => a.GetProperty("trigger").GetString()));
    }

    [Fact]
    public async Task After_a_rotation_deliveries_verify_with_the_new_and_the_previous_secret_and_the_secret_is_never_shown_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var unitOrg = await Api.OrganizationAsync("轮换数源单位", "source_unit");
        var bureauOrg = await Api.OrganizationAsync("轮换数据局", "data_bureau");
        using var unit = await Api.ClientFor(unitOrg);
        var (endpoint, oldSecret) = await RegisterAsync(unit, receiver.Url("/rotate"), "consent.granted");
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", oldSecret);

        var shown = await (await unit.GetAsync($"/v1/webhook-endpoints/{endpoint}", Ct)).AssertJson();
        Assert.DoesNotContain(oldSecret, shown.GetRawText(), StringComparison.Ordinal);
        Assert.False(shown.TryGetProperty("secret", out _));

        var rotated = await (await unit.PostAsync($"/v1/webhook-endpoints/{endpoint}/rotate-secret", null, Ct)).AssertJson();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(rotated.GetProperty("endpoint").GetProperty("previous_secret_valid_until").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));
        var delivery = Assert.Single(await receiver.WaitForAsync(_ => true));
        Assert.Equal(2, delivery.Headers["webhook-signature"].Split(' ').Length);
        await WebhookReceiver.VerifyAllAsync([(delivery, newSecret), (delivery, oldSecret)], Ct);
    }

    /// <summary>
    /// Every event type the API names (GET /v1/webhook-event-types, and the enum of the committed OpenAPI document) is
    /// sent by the action it describes, driven over HTTP, to exactly the parties it names, and verifies with the reference
    /// library.
    /// </summary>
    [Fact]
    public async Task Every_documented_event_type_is_sent_by_its_action_to_the_parties_that_subscribed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var sellerOrg = await Api.OrganizationAsync("全事件数源单位", "source_unit");
        var buyerOrg = await Api.OrganizationAsync("全事件模型企业", "model_builder");
        var bureauOrg = await Api.OrganizationAsync("全事件数据局", "data_bureau");
        using var seller = await Api.ClientFor(sellerOrg);
        using var buyer = await Api.ClientFor(buyerOrg);
        using var bureau = await Api.ClientFor(bureauOrg);
        using var op = await Api.OperatorClient();
        var all = (await (await seller.GetAsync("/v1/webhook-event-types", Ct)).AssertJson()).EnumerateArray().Select(t => t.GetProperty("type").GetString()!).ToArray();
        var secrets = new Dictionary<string, string>
        {
            ["/seller"] = (await RegisterAsync(seller, receiver.Url("/seller"), all)).Secret,
            ["/buyer"] = (await RegisterAsync(buyer, receiver.Url("/buyer"), all)).Secret,
            ["/bureau"] = (await RegisterAsync(bureau, receiver.Url("/bureau"), all)).Secret,
        };

        var dataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["a.csv"] = "x\n1\n"u8.ToArray() }, access: "paid");
        // Terms whose usage policy carries the notify_owner duty: the buyer's complete download tells the seller (dataset.used).
        var terms = (await (await seller.PutAsJsonAsync($"/v1/datasets/{dataset}/terms", new { text = "每次使用须告知数据提供方。", policy = new { duties = new[] { "notify_owner" } } }, Ct))
            .AssertJson()).GetProperty("version").GetInt32();
        var plan = (await (await seller.PostAsJsonAsync($"/v1/datasets/{dataset}/plans", new { kind = "one_time", price_fen = 9_900 }, Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 9_900, reference = "WH" + order }, Ct)).AssertJson();
        Assert.Equal(HttpStatusCode.OK, (await buyer.GetAsync(DatasetFlow.FileUrl(dataset, 1, "a.csv"), Ct)).StatusCode);
        await Api.UsageEventsSettledAsync(dataset);
        await (await op.PostAsync($"/v1/orders/{order}/refund", null, Ct)).AssertJson();
        await (await seller.PostAsync($"/v1/datasets/{dataset}/withdraw", null, Ct)).AssertJson();
        var consentRequest = (await (await bureau.PostAsJsonAsync("/v1/consent-requests", new
        {
            unit = sellerOrg.OrganizationId, categories = new[] { "revenue", "usage_statistics" }, all_datasets = true, dataset_ids = Array.Empty<string>(),
            purpose = new { code = "corpus_reward", text = "年度语料奖励测算" }, legal_basis = "中府〔2025〕1号",
            valid_from = DateTimeOffset.UtcNow, valid_until = DateTimeOffset.UtcNow.AddDays(30),
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var consent = (await (await seller.PostAsJsonAsync($"/v1/consent-requests/{consentRequest}/approve", new { }, Ct)).AssertJson())
            .GetProperty("consent_id").GetString();
        // The seller is in the reward programme now (it consented to revenue and usage statistics): a run over today, approved.
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "事件测试奖励政策", cap_scope = "per_period", min_files = 1, min_bytes = 1, min_versions_in_period = 0, min_paying_consumers = 1,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Api.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        var run = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{run}/approve", new { }, Ct)).AssertJson();
        await (await seller.PostAsJsonAsync($"/v1/consents/{consent}/revoke", new { reason = "退出奖励计划" }, Ct)).AssertJson();
        var record = await RecordFlow.CreateAsync(seller, "dcmm-certificates", RecordFlow.Dcmm(3));
        await (await RecordFlow.UploadAsync(seller, $"/v1/dcmm-certificates/{record}/evidence", "证书.pdf", "%PDF-1.7 evidence"u8.ToArray())).AssertJson();
        await (await seller.PostAsync($"/v1/dcmm-certificates/{record}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsJsonAsync($"/v1/review/dcmm-certificates/{record}/return", new { reason = "请补充材料" }, Ct)).AssertJson();
        await (await seller.PostAsync($"/v1/dcmm-certificates/{record}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{record}/verify", null, Ct)).AssertJson();

        // The version was committed while the dataset was a draft (owner only); the withdrawal came after the refund (no entitlement left).
        string[] expected =
        [
            "/bureau consent.granted", "/bureau consent.requested", "/bureau consent.revoked", "/bureau reward_run.approved",
            "/buyer entitlement.revoked", "/buyer order.paid",
            "/seller consent.granted", "/seller consent.requested", "/seller consent.revoked", "/seller dataset.used", "/seller dataset.withdrawn", "/seller entitlement.revoked",
            "/seller order.paid", "/seller record.returned", "/seller record.verified", "/seller reward_run.approved", "/seller version.published",
        ];
        var got = await receiver.WaitForAsync(_ => true, expected.Length);
        Assert.Equal(expected, got.Select(r => r.Path + " " + r.Payload.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        // Each named type was sent, and nothing unnamed: the list the API serves, and the one its OpenAPI document states.
        var sent = got.Select(r => r.Payload.GetProperty("type").GetString()!).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(all.Order(StringComparer.Ordinal), sent);
        var openapi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "openapi", "dataspace.v1.json"), Ct)).RootElement;
        var documented = openapi.GetProperty("components").GetProperty("schemas").GetProperty("CreateWebhookEndpointRequest")
            .GetProperty("properties").GetProperty("events").GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!);
        Assert.Equal(documented.Order(StringComparer.Ordinal), sent);
        Assert.Equal(run, got.First(r => r.Path == "/seller" && r.Payload.GetProperty("type").GetString() == "reward_run.approved").Payload.GetProperty("data").GetProperty("reward_run_id").GetString());
        Assert.Equal(consent, got.First(r => r.Path == "/bureau" && r.Payload.GetProperty("type").GetString() == "consent.revoked").Payload.GetProperty("data").GetProperty("consent_id").GetString());
        await WebhookReceiver.VerifyAllAsync(got.Select(r => (r, secrets[r.Path])), Ct);
        var paid = got.First(r => r.Path == "/buyer" && r.Payload.GetProperty("type").GetString() == "order.paid").Payload.GetProperty("data");
        Assert.Equal(order, paid.GetProperty("order_id").GetString());
        Assert.Equal(9_900, paid.GetProperty("amount_fen").GetInt64());
    }

    [Fact]
    public async Task A_change_that_rolls_back_at_commit_leaves_no_event_and_sends_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var unitOrg = await Api.OrganizationAsync("回滚数源单位", "source_unit");
        var bureauOrg = await Api.OrganizationAsync("回滚数据局", "data_bureau");
        using var unit = await Api.ClientFor(unitOrg);
        var (endpoint, _) = await RegisterAsync(unit, receiver.Url("/rollback"), "consent.granted");
        var marker = "回滚-" + Guid.NewGuid().ToString("N");
        // A deferred constraint trigger fails the grant's transaction at COMMIT, after the outbox rows were written in it.
        await using (var conn = new Npgsql.NpgsqlConnection(Api.ConnectionString))
        {
            await conn.OpenAsync(Ct);
            await using var cmd = new Npgsql.NpgsqlCommand($"""
                create or replace function fail_marked_consent() returns trigger language plpgsql as $$
                begin
                    if new.purpose_text like '回滚-%' then raise exception 'rolled back by the test'; end if;
                    return new;
                end $$;
                drop trigger if exists fail_marked_consent on consents;
                create constraint trigger fail_marked_consent after insert on consents deferrable initially deferred
                    for each row execute function fail_marked_consent();
                """, conn);
            await cmd.ExecuteNonQueryAsync(Ct);
        }

        var body = new
        {
            grantee = bureauOrg.OrganizationId, categories = new[] { "revenue" }, all_datasets = true, dataset_ids = Array.Empty<string>(),
            purpose = new { code = "industry_statistics", text = marker }, legal_basis = "测试依据",
            valid_from = DateTimeOffset.UtcNow.AddMinutes(-1), valid_until = DateTimeOffset.UtcNow.AddDays(30),
        };
        var failed = await unit.PostAsJsonAsync("/v1/consents", body, Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

        // A change after it commits and is delivered; the rolled-back one never existed for the outbox.
        var consentId = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));
        var got = await receiver.WaitForAsync(_ => true);
        Assert.Equal(consentId, Assert.Single(got).Payload.GetProperty("data").GetProperty("consent_id").GetString());
        Assert.Single((await DeliveriesAsync(unit, endpoint)).EnumerateArray());
        await using var check = new Npgsql.NpgsqlConnection(Api.ConnectionString);
        await check.OpenAsync(Ct);
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from webhook_events where payload::text like '%' || @marker || '%'", check);
        count.Parameters.AddWithValue("marker", marker);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync(Ct))!);
    }

    [Fact]
    public async Task Endpoints_are_the_organisations_own_and_bad_registrations_are_refused_by_field()
    {
        var a = await Api.ClientFor(await Api.OrganizationAsync("甲单位 webhook", "source_unit"));
        var b = await Api.ClientFor(await Api.OrganizationAsync("乙单位 webhook", "model_builder"));
        var (endpoint, _) = await RegisterAsync(a, new Uri("https://hooks.example.com/dataspace"), "dataset.withdrawn");

        await (await b.GetAsync($"/v1/webhook-endpoints/{endpoint}", Ct)).AssertProblem(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await b.PostAsync($"/v1/webhook-endpoints/{endpoint}/rotate-secret", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await b.DeleteAsync($"/v1/webhook-endpoints/{endpoint}", Ct)).AssertProblem(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        Assert.Empty((await (await b.GetAsync("/v1/webhook-endpoints", Ct)).AssertJson()).GetProperty("items").EnumerateArray());
        Assert.Single((await (await a.GetAsync("/v1/webhook-endpoints", Ct)).AssertJson()).GetProperty("items").EnumerateArray());

        var bad = await (await a.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "ftp://example.com/x", events = new[] { "order.shipped" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(bad.GetProperty("errors").TryGetProperty("url", out _));
        Assert.Contains("order.shipped", bad.GetProperty("errors").GetProperty("events")[0].GetString(), StringComparison.Ordinal);
        await (await a.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://example.com/x", events = Array.Empty<string>() }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        var disabled = await (await a.DeleteAsync($"/v1/webhook-endpoints/{endpoint}", Ct)).AssertJson();
        Assert.NotEqual(JsonValueKind.Null, disabled.GetProperty("disabled_at").ValueKind);
        var types = await (await a.GetAsync("/v1/webhook-event-types", Ct)).AssertJson();
        Assert.Equal(11, types.GetArrayLength());
    }
}
