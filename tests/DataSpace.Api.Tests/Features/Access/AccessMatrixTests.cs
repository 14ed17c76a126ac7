using System.Net.Http.Headers;

namespace DataSpace.Api.Tests.Features.Access;

/// <summary>
/// The authorization matrix of issue 18 over HTTP: each state of an access request, a grant or a usage policy against
/// the four reads — the consumer's list (its holdings, or its requests when it holds nothing), the manifest's view,
/// a download and a range continuation of a download in progress.
/// </summary>
public sealed class AccessMatrixTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string File = "样本.jsonl";
    private static readonly byte[] Content = "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"u8.ToArray();

    /// <summary>What the four reads answered: a state for the list, the manifest's view, and a status or problem code for each download.</summary>
    private sealed record Reads(string List, string Manifest, string Download, string Range);

    private sealed record Parties(HttpClient Owner, Credentials OwnerOrg, HttpClient Consumer, Credentials ConsumerOrg, string Dataset);

    private async Task<Parties> Setup(string access, string policy)
    {
        var ownerOrg = await api.OrganizationAsync("访问控制数源单位", "source_unit");
        var owner = await api.ClientFor(ownerOrg);
        var consumerOrg = await api.OrganizationAsync("访问申请模型方", "model_builder");
        var dataset = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { [File] = Content }, access);
        if (policy != (access == "paid" ? "terms" : "open"))
        {
            await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new
            {
                policy, review_sla_hours = 1, request_fields = new[] { new { name = "project", label = "项目名称", required = true } },
            }, Ct)).AssertJson();
        }

        return new Parties(owner, ownerOrg, await api.ClientFor(consumerOrg), consumerOrg, dataset);
    }

    private async Task<Reads> ReadAll(HttpClient consumer, string dataset)
    {
        var list = await ListState(consumer, dataset);
        var manifest = (await (await consumer.GetAsync($"/v1/datasets/{dataset}/versions/1", Ct)).AssertJson()).GetProperty("view").GetString()!;
        var download = await Outcome(await consumer.GetAsync(DatasetFlow.FileUrl(dataset, 1, File), Ct));
        // The second half of the file, as a client resuming a cut download asks for it.
        using var resume = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(dataset, 1, File));
        resume.Headers.Range = new RangeHeaderValue(Content.Length / 2, null);
        var range = await Outcome(await consumer.SendAsync(resume, Ct));
        await api.UsageEventsSettledAsync(dataset);
        return new Reads(list, manifest, download, range);
    }

    /// <summary>The first bytes of the file: a download that a later continuation resumes.</summary>
    private async Task StartDownload(HttpClient consumer, string dataset)
    {
        using var start = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(dataset, 1, File));
        start.Headers.Range = new RangeHeaderValue(0, Content.Length / 2 - 1);
        Assert.Equal("206", await Outcome(await consumer.SendAsync(start, Ct)));
        await api.UsageEventsSettledAsync(dataset);
    }

    private static async Task<string> Outcome(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        return problem.GetProperty("code").GetString()!;
    }

    /// <summary>The consumer's own view: its newest holding of the dataset (kind and effective or the refusal code), else its newest request's status.</summary>
    private static async Task<string> ListState(HttpClient consumer, string dataset)
    {
        var holdings = (await (await consumer.GetAsync("/v1/holdings", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(h => h.GetProperty("dataset_id").GetString() == dataset).ToList();
        if (holdings.Count > 0)
        {
            var h = holdings[0];
            return h.GetProperty("kind").GetString() + ":" + (h.GetProperty("effective").GetBoolean() ? "effective" : h.GetProperty("refusal_code").GetString());
        }

        var items = (await (await consumer.GetAsync($"/v1/datasets/{dataset}/access-requests", Ct)).AssertJson()).GetProperty("items");
        return items.GetArrayLength() == 0 ? "none" : "request:" + items[0].GetProperty("status").GetString();
    }

    private static async Task<string> Request(HttpClient consumer, string dataset, string purpose = "model_training") =>
        (await (await consumer.PostAsJsonAsync($"/v1/datasets/{dataset}/access-requests", new
        {
            purpose, use_case = "训练灯饰质检模型", answers = new Dictionary<string, string> { ["project"] = "灯饰质检" }, contact = "张工 13800000000",
            disclose_identity = true,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static Reads Refused(string list, string code, string manifest = "preview") => new(list, manifest, code, code);

    private static readonly Reads Allowed = new("", "full", "200", "206");

    [Fact]
    public async Task Approval_gated_dataset_pending_approved_and_owner_revoked_mid_download()
    {
        var p = await Setup("open", "approval");
        Assert.Equal(Refused("none", "access_request_required"), await ReadAll(p.Consumer, p.Dataset));

        var request = await Request(p.Consumer, p.Dataset);
        Assert.Equal(Refused("request:pending", "access_request_pending"), await ReadAll(p.Consumer, p.Dataset));
        await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/access-requests", new
        {
            purpose = "model_training", use_case = "again", answers = new Dictionary<string, string> { ["project"] = "x" }, contact = "x", disclose_identity = true,
        }, Ct)).AssertProblem(HttpStatusCode.Conflict, "access_request_open");

        // The owner sees who asks (identity disclosed) with the answers to its own questions.
        var seen = (await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/access-requests", Ct)).AssertJson()).GetProperty("items")[0];
        Assert.Equal(p.ConsumerOrg.OrganizationId, seen.GetProperty("requester_id").GetString());
        // The same organisation in the common reference shape, beside the flat members.
        Assert.Equal(p.ConsumerOrg.OrganizationId, seen.GetProperty("requester").GetProperty("id").GetString());
        Assert.Equal(seen.GetProperty("requester_name").GetString(), seen.GetProperty("requester").GetProperty("name").GetString());
        Assert.Equal("灯饰质检", seen.GetProperty("answers").GetProperty("project").GetString());

        await (await p.Consumer.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        var approved = await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertJson();
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(Allowed with { List = "approval:effective" }, await ReadAll(p.Consumer, p.Dataset));

        await StartDownload(p.Consumer, p.Dataset);
        var grant = approved.GetProperty("grant_id").GetString();
        await (await p.Owner.PostAsJsonAsync($"/v1/grants/{grant}/revoke", new { reason = "项目已结束" }, Ct)).AssertJson();
        Assert.Equal(Refused("approval:grant_revoked", "grant_revoked"), await ReadAll(p.Consumer, p.Dataset));
    }

    [Fact]
    public async Task Rejected_then_re_requested_then_approved_with_narrowed_duration()
    {
        var p = await Setup("open", "approval");
        var first = await Request(p.Consumer, p.Dataset);
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{first}/reject", new { reason = "" }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        var rejected = await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{first}/reject", new { reason = "用途不清楚" }, Ct)).AssertJson();
        Assert.Equal("用途不清楚", rejected.GetProperty("reason").GetString());
        Assert.Equal(Refused("request:rejected", "access_request_rejected"), await ReadAll(p.Consumer, p.Dataset));
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{first}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "access_request_not_pending");

        var second = await Request(p.Consumer, p.Dataset, "scientific_research");
        var again = await (await p.Consumer.GetAsync($"/v1/access-requests/{second}", Ct)).AssertJson();
        Assert.Equal(first, again.GetProperty("previous_id").GetString());
        Assert.Equal(Refused("request:pending", "access_request_pending"), await ReadAll(p.Consumer, p.Dataset));

        var until = api.Clock.GetUtcNow().AddMinutes(30);
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{second}/approve", new { valid_until = until }, Ct)).AssertJson();
        Assert.Equal(Allowed with { List = "approval:effective" }, await ReadAll(p.Consumer, p.Dataset));

        api.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            Assert.Equal(Refused("approval:grant_expired", "grant_expired"), await ReadAll(p.Consumer, p.Dataset));
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

    [Fact]
    public async Task A_request_left_unanswered_past_the_owners_sla_expires_when_read_and_may_be_filed_again()
    {
        var p = await Setup("open", "approval");
        var request = await Request(p.Consumer, p.Dataset);
        api.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            // Tokens issued before the jump have expired with it: fresh ones, at the new time.
            var consumer = await api.ClientFor(p.ConsumerOrg);
            var owner = await api.ClientFor(p.OwnerOrg);
            Assert.Equal(Refused("request:expired", "access_request_expired"), await ReadAll(consumer, p.Dataset));
            await (await owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "access_request_expired");
            await Request(consumer, p.Dataset);
            Assert.Equal(Refused("request:pending", "access_request_pending"), await ReadAll(consumer, p.Dataset));
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
    }

    [Fact]
    public async Task A_grant_counts_once_accepted_and_ends_when_the_holder_drops_it()
    {
        var p = await Setup("paid", "terms");
        await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new { text = "仅限试点项目使用。" }, Ct)).AssertJson();
        var before = await ReadAll(p.Consumer, p.Dataset);
        Assert.Equal(Refused("none", "entitlement_required"), before);

        var grant = (await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/grants", new
        {
            organization_id = p.ConsumerOrg.OrganizationId, purpose = "public_service", valid_until = api.Clock.GetUtcNow().AddDays(30),
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        Assert.Equal(Refused("grant:grant_not_accepted", "grant_not_accepted"), await ReadAll(p.Consumer, p.Dataset));

        var accepted = await (await p.Consumer.PostAsync($"/v1/grants/{grant}/accept", null, Ct)).AssertJson();
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.Equal(Allowed with { List = "grant:effective" }, await ReadAll(p.Consumer, p.Dataset));
        await (await p.Consumer.PostAsync($"/v1/grants/{grant}/accept", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "grant_state_conflict");

        await StartDownload(p.Consumer, p.Dataset);
        await (await p.Consumer.PostAsync($"/v1/grants/{grant}/drop", null, Ct)).AssertJson();
        Assert.Equal(Refused("grant:grant_dropped", "grant_dropped"), await ReadAll(p.Consumer, p.Dataset));
        await (await p.Owner.PostAsJsonAsync($"/v1/grants/{grant}/revoke", new { reason = "x" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "grant_state_conflict");
    }

    [Fact]
    public async Task An_owner_revoked_grant_stops_the_next_range()
    {
        var p = await Setup("open", "approval");
        var grant = (await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/grants", new
        {
            organization_id = p.ConsumerOrg.OrganizationId, purpose = "public_service", valid_until = api.Clock.GetUtcNow().AddDays(30),
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await p.Consumer.PostAsync($"/v1/grants/{grant}/accept", null, Ct)).AssertJson();
        Assert.Equal(Allowed with { List = "grant:effective" }, await ReadAll(p.Consumer, p.Dataset));

        await StartDownload(p.Consumer, p.Dataset);
        await (await p.Consumer.PostAsJsonAsync($"/v1/grants/{grant}/revoke", new { reason = "x" }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        var revoked = await (await p.Owner.PostAsJsonAsync($"/v1/grants/{grant}/revoke", new { reason = "试点结束" }, Ct)).AssertJson();
        Assert.Equal("试点结束", revoked.GetProperty("end_reason").GetString());
        Assert.Equal(Refused("grant:grant_revoked", "grant_revoked"), await ReadAll(p.Consumer, p.Dataset));

        var owned = (await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/grants", Ct)).AssertJson()).GetProperty("items")[0];
        Assert.Equal("revoked", owned.GetProperty("status").GetString());
        Assert.Equal(p.ConsumerOrg.OrganizationId, owned.GetProperty("grantee").GetProperty("id").GetString());
        Assert.Equal(owned.GetProperty("grantee_name").GetString(), owned.GetProperty("grantee").GetProperty("name").GetString());
    }

    /// <summary>A paid dataset whose terms carry a policy; the consumer has accepted with a purpose, ordered and paid.</summary>
    private async Task<Parties> Bought(object policy, string purpose = "model_training")
    {
        var p = await Setup("paid", "terms");
        var terms = (await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new { text = "仅限内部模型训练，不得转售。", policy }, Ct)).AssertJson());
        var plan = (await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/plans", new { kind = "one_time", price_fen = 50_000 }, Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var agreement = await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/agreements",
            new { terms_version = terms.GetProperty("version").GetInt32(), purpose }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(terms.GetProperty("policy_sha256").GetString(), agreement.GetProperty("policy_sha256").GetString());
        var order = await OrderFlow.PlaceAsync(p.Consumer, plan);
        using var op = await api.OperatorClient();
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 50_000, reference = "ACC-" + order }, Ct)).AssertJson();
        return p;
    }

    [Fact]
    public async Task The_count_of_complete_downloads_is_enforced_and_a_range_that_completes_a_file_counts()
    {
        var p = await Bought(new { permission = new { max_complete_downloads = 2 } });
        // One whole download and one resumed to the file's end: two complete downloads.
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));
        // The count limits downloads; the manifest stays readable.
        Assert.Equal(Refused("entitlement:policy_count_exceeded", "policy_count_exceeded", "full"), await ReadAll(p.Consumer, p.Dataset));
    }

    [Fact]
    public async Task A_policy_period_that_ends_refuses_every_read_from_then_on()
    {
        var p = await Bought(new { permission = new { purposes = new[] { "model_training" }, valid_until = api.Clock.GetUtcNow().AddMinutes(30) } });
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));
        await StartDownload(p.Consumer, p.Dataset);
        api.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            Assert.Equal(Refused("entitlement:policy_expired", "policy_expired"), await ReadAll(p.Consumer, p.Dataset));
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

    [Fact]
    public async Task A_policy_period_that_has_not_begun_refuses_the_order_until_it_does()
    {
        var p = await Setup("paid", "terms");
        var terms = await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new
        {
            text = "自下月起方可使用。", policy = new { permission = new { valid_from = api.Clock.GetUtcNow().AddMinutes(30) } },
        }, Ct)).AssertJson();
        var plan = (await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/plans", new { kind = "one_time", price_fen = 50_000 }, Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/agreements", new { terms_version = terms.GetProperty("version").GetInt32(), purpose = "model_training" }, Ct))
            .AssertJson(HttpStatusCode.Created);

        // Nobody pays for a use that is not permitted yet: the order is refused and none is made.
        await (await p.Consumer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertProblem(HttpStatusCode.Forbidden, "policy_not_yet_valid");
        Assert.Empty((await (await p.Consumer.GetAsync("/v1/orders", Ct)).AssertJson()).GetProperty("items").EnumerateArray());
        api.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            using var consumer = await api.ClientFor(p.ConsumerOrg);
            Assert.Equal("pending_payment", (await (await consumer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("status").GetString());
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

    [Fact]
    public async Task A_declared_purpose_outside_the_policy_is_refused_on_ordering_and_on_every_read()
    {
        var p = await Bought(new { permission = new { purposes = new[] { "model_training", "model_evaluation" } }, prohibitions = new[] { "resale" } });
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));

        // The consumer declares another purpose on its agreement: from the next request on, the policy refuses it.
        await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/agreements", new { terms_version = 1, purpose = "product_development" }, Ct))
            .AssertJson(HttpStatusCode.Created);
        Assert.Equal(Refused("entitlement:policy_purpose_mismatch", "policy_purpose_mismatch"), await ReadAll(p.Consumer, p.Dataset));

        var plan = (await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/plans", Ct)).AssertJson()).GetProperty("items")[0].GetProperty("id").GetString()!;
        await (await p.Consumer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertProblem(HttpStatusCode.Forbidden, "policy_purpose_mismatch");

        // The owner cannot grant what its own policy forbids either.
        var other = await api.OrganizationAsync("另一模型方", "model_builder");
        await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/grants", new
        {
            organization_id = other.OrganizationId, purpose = "public_service", valid_until = api.Clock.GetUtcNow().AddDays(1),
        }, Ct)).AssertProblem(HttpStatusCode.Conflict, "policy_purpose_mismatch");
    }

    [Fact]
    public async Task The_owner_reads_its_holders_a_page_at_a_time_newest_first()
    {
        var p = await Bought(new { permission = new { max_complete_downloads = 5 } });
        var granted = new List<string>();
        foreach (var name in new[] { "分页受让方甲", "分页受让方乙" })
        {
            var org = await api.OrganizationAsync(name, "model_builder");
            granted.Add((await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/grants", new
            {
                organization_id = org.OrganizationId, purpose = "model_training", valid_until = api.Clock.GetUtcNow().AddDays(30),
            }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!);
        }

        // Three holdings (the consumer's entitlement, then two grants), two to a page, newest first.
        var first = await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/holders?limit=2", Ct)).AssertJson();
        Assert.Equal([granted[1], granted[0]], first.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/holders?limit=2&cursor={Uri.EscapeDataString(cursor!)}", Ct)).AssertJson();
        var last = Assert.Single(second.GetProperty("items").EnumerateArray());
        Assert.Equal("entitlement", last.GetProperty("kind").GetString());
        Assert.Equal(p.ConsumerOrg.OrganizationId, last.GetProperty("holder").GetProperty("id").GetString());
        Assert.Equal(last.GetProperty("holder_name").GetString(), last.GetProperty("holder").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/holders?cursor=abc", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await p.Consumer.GetAsync("/v1/holdings?limit=0", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task An_assignee_outside_the_policy_is_refused_and_the_owner_sees_the_holder_under_its_policy()
    {
        var p = await Bought(new { permission = new { assignee_roles = new[] { "model_builder" } } });
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));
        var holders = (await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/holders", Ct)).AssertJson()).GetProperty("items").EnumerateArray().ToList();
        var holder = Assert.Single(holders);
        Assert.Equal(p.ConsumerOrg.OrganizationId, holder.GetProperty("holder_id").GetString());
        Assert.Equal(["model_builder"], holder.GetProperty("policy").GetProperty("permission").GetProperty("assignee_roles").EnumerateArray().Select(r => r.GetString()));

        // A new terms version names only another organisation: the holder accepts it, and the policy no longer names it.
        var other = await api.OrganizationAsync("指定模型方", "model_builder");
        var v2 = (await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new
        {
            text = "仅限指定机构。", policy = new { permission = new { assignee_organizations = new[] { other.OrganizationId } } },
        }, Ct)).AssertJson()).GetProperty("version").GetInt32();
        Assert.Equal(Refused("entitlement:terms_not_accepted", "terms_not_accepted", "full"), await ReadAll(p.Consumer, p.Dataset));
        await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/agreements", new { terms_version = v2 }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(Refused("entitlement:policy_assignee_mismatch", "policy_assignee_mismatch"), await ReadAll(p.Consumer, p.Dataset));
    }

    [Fact]
    public async Task A_consumer_that_drops_its_entitlement_loses_access_on_the_next_request()
    {
        var p = await Bought(new { duties = new[] { "attribution" } });
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));
        var entitlement = (await (await p.Consumer.GetAsync($"/v1/entitlements?dataset_id={p.Dataset}", Ct)).AssertJson()).GetProperty("items")[0].GetProperty("id").GetString();
        await StartDownload(p.Consumer, p.Dataset);
        await (await p.Owner.PostAsync($"/v1/entitlements/{entitlement}/drop", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "entitlement_not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await p.Consumer.PostAsync($"/v1/entitlements/{entitlement}/drop", null, Ct)).StatusCode);
        Assert.Equal(Refused("entitlement:entitlement_required", "entitlement_required"), await ReadAll(p.Consumer, p.Dataset));
    }

    [Fact]
    public async Task Approval_of_a_paid_dataset_opens_ordering_and_the_paid_entitlement_opens_the_files()
    {
        var p = await Setup("paid", "approval");
        var (terms, plan) = await OrderFlow.OfferAsync(p.Owner, p.Dataset, 10_000);
        await OrderFlow.AcceptAsync(p.Consumer, p.Dataset, terms);
        await (await p.Consumer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertProblem(HttpStatusCode.Forbidden, "access_request_required");

        var request = await Request(p.Consumer, p.Dataset);
        await (await p.Consumer.SendAsync(OrderFlow.OrderRequest(plan), Ct)).AssertProblem(HttpStatusCode.Forbidden, "access_request_pending");
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertJson();
        // Approved but not paid: the files still need the order.
        Assert.Equal(Refused("approval:effective", "entitlement_required"), await ReadAll(p.Consumer, p.Dataset));

        var order = await OrderFlow.PlaceAsync(p.Consumer, plan);
        using var op = await api.OperatorClient();
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 10_000, reference = "APR-" + order }, Ct)).AssertJson();
        Assert.Equal(Allowed with { List = "entitlement:effective" }, await ReadAll(p.Consumer, p.Dataset));
    }

    [Fact]
    public async Task Bad_access_input_is_refused_by_field_and_changes_nothing()
    {
        var p = await Setup("open", "approval");
        var bad = await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/access-policy", new
        {
            policy = "terms", review_sla_hours = 0, request_fields = new[] { new { name = "Bad Name", label = "", required = true } },
        }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["policy", "request_fields[0].label", "request_fields[0].name", "review_sla_hours"], bad.ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal("approval", (await (await p.Consumer.GetAsync($"/v1/datasets/{p.Dataset}/access-policy", Ct)).AssertJson()).GetProperty("policy").GetString());

        var request = await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/access-requests", new
        {
            purpose = "espionage", use_case = "", answers = new Dictionary<string, string> { ["other"] = "x" }, contact = "", disclose_identity = false,
        }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["answers.other", "answers.project", "contact", "disclose_identity", "purpose", "use_case"], request.ErrorFields().Order(StringComparer.Ordinal));
        Assert.Equal("none", await ListState(p.Consumer, p.Dataset));

        var terms = await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new
        {
            text = "条款", policy = new { permission = new { purposes = new[] { "x" }, max_complete_downloads = 0, assignee_roles = new[] { "king" } }, duties = new[] { "dance" } },
        }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["policy.duties", "policy.permission.assignee_roles", "policy.permission.max_complete_downloads", "policy.permission.purposes"],
            terms.ErrorFields().Order(StringComparer.Ordinal));
        await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/terms", Ct)).AssertProblem(HttpStatusCode.NotFound, "terms_not_found");

        var open = await Setup("open", "open");
        await (await open.Consumer.PostAsJsonAsync($"/v1/datasets/{open.Dataset}/access-requests", new
        {
            purpose = "model_training", use_case = "x", contact = "x", disclose_identity = true,
        }, Ct)).AssertProblem(HttpStatusCode.Conflict, "access_not_requestable");
        Assert.Equal(Allowed with { List = "none" }, await ReadAll(open.Consumer, open.Dataset));

        // An open dataset is downloaded without an agreement, so it cannot carry a policy it would not enforce.
        await (await open.Owner.PutAsJsonAsync($"/v1/datasets/{open.Dataset}/terms", new { text = "条款", policy = new { duties = new[] { "attribution" } } }, Ct))
            .AssertProblem(HttpStatusCode.Conflict, "policy_needs_gated_access");
        await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new { text = "条款", policy = new { duties = new[] { "attribution" } } }, Ct)).AssertJson();
        await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/access-policy", new { policy = "open" }, Ct))
            .AssertProblem(HttpStatusCode.Conflict, "policy_needs_gated_access");
        Assert.Equal("approval", (await (await p.Consumer.GetAsync($"/v1/datasets/{p.Dataset}/access-policy", Ct)).AssertJson()).GetProperty("policy").GetString());
    }

    [Fact]
    public async Task The_attribution_duty_puts_the_required_attribution_on_every_download_answer()
    {
        var p = await Setup("open", "approval");
        await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/terms", new { text = "署名条款", policy = new { duties = new[] { "attribution" } } }, Ct)).AssertJson();
        var request = await Request(p.Consumer, p.Dataset);
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertJson();
        var before = await p.Consumer.GetAsync(DatasetFlow.FileUrl(p.Dataset, 1, File), Ct);
        await before.AssertProblem(HttpStatusCode.Forbidden, "terms_not_accepted");
        Assert.False(before.Headers.Contains("DataSpace-Attribution"));
        await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/agreements", new { terms_version = 1 }, Ct)).AssertJson(HttpStatusCode.Created);

        var got = await p.Consumer.GetAsync(DatasetFlow.FileUrl(p.Dataset, 1, File), Ct);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        var attribution = Uri.UnescapeDataString(Assert.Single(got.Headers.GetValues("DataSpace-Attribution")));
        Assert.Contains("访问控制数源单位", attribution, StringComparison.Ordinal);
        Assert.Contains($"DataSpace dataset {p.Dataset}, version 1", attribution, StringComparison.Ordinal);
        using var head = new HttpRequestMessage(HttpMethod.Head, DatasetFlow.FileUrl(p.Dataset, 1, File));
        Assert.True((await p.Consumer.SendAsync(head, Ct)).Headers.Contains("DataSpace-Attribution"));
        // The owner's own download owes no attribution.
        Assert.False((await p.Owner.GetAsync(DatasetFlow.FileUrl(p.Dataset, 1, File), Ct)).Headers.Contains("DataSpace-Attribution"));
        await api.UsageEventsSettledAsync(p.Dataset);
    }

    [Fact]
    public async Task An_approval_narrowed_to_other_versions_refuses_this_one_by_version()
    {
        var p = await Setup("open", "approval");
        var request = await Request(p.Consumer, p.Dataset);
        await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { versions = Array.Empty<int>() }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        var approved = await (await p.Owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { versions = new[] { 2 } }, Ct)).AssertJson();
        var grant = (await (await p.Consumer.GetAsync("/v1/grants", Ct)).AssertJson()).GetProperty("items")[0];
        Assert.Equal(approved.GetProperty("grant_id").GetString(), grant.GetProperty("id").GetString());
        Assert.Equal([2], grant.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(Refused("approval:effective", "policy_version_mismatch"), await ReadAll(p.Consumer, p.Dataset));

        // The holding shows the pinning and the approval's state, for the consumer and the owner alike.
        var holding = (await (await p.Consumer.GetAsync("/v1/holdings", Ct)).AssertJson()).GetProperty("items")[0];
        Assert.Equal([2], holding.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("accepted", holding.GetProperty("approval_status").GetString());
        await (await p.Owner.PostAsJsonAsync($"/v1/grants/{grant.GetProperty("id").GetString()}/revoke", new { reason = "试点结束" }, Ct)).AssertJson();
        var held = (await (await p.Owner.GetAsync($"/v1/datasets/{p.Dataset}/holders", Ct)).AssertJson()).GetProperty("items")[0];
        Assert.Equal("revoked", held.GetProperty("approval_status").GetString());
        Assert.Equal([2], held.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("grant_revoked", held.GetProperty("refusal_code").GetString());
    }

    [Fact]
    public async Task Listed_roles_are_approved_when_they_file_and_every_step_is_in_the_owners_trail()
    {
        var p = await Setup("open", "approval");
        await (await p.Owner.PutAsJsonAsync($"/v1/datasets/{p.Dataset}/access-policy", new
        {
            policy = "approval", request_fields = Array.Empty<object>(), auto_approve_roles = new[] { "model_builder" },
        }, Ct)).AssertJson();
        var filed = await (await p.Consumer.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/access-requests", new
        {
            purpose = "model_evaluation", use_case = "评测", contact = "王工", disclose_identity = true,
        }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal("approved", filed.GetProperty("status").GetString());
        Assert.Equal(Allowed with { List = "approval:effective" }, await ReadAll(p.Consumer, p.Dataset));

        var other = await api.OrganizationAsync("被授予的数据局", "data_bureau");
        using var bureau = await api.ClientFor(other);
        var grant = (await (await p.Owner.PostAsJsonAsync($"/v1/datasets/{p.Dataset}/grants", new
        {
            organization_id = other.OrganizationId, purpose = "public_service", valid_until = api.Clock.GetUtcNow().AddDays(7),
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await (await bureau.PostAsync($"/v1/grants/{grant}/accept", null, Ct)).AssertJson();
        Assert.Equal("200", await Outcome(await bureau.GetAsync(DatasetFlow.FileUrl(p.Dataset, 1, File), Ct)));
        await api.UsageEventsSettledAsync(p.Dataset);
        await (await p.Owner.PostAsJsonAsync($"/v1/grants/{grant}/revoke", new { reason = "到期前收回" }, Ct)).AssertJson();

        var trail = (await (await p.Owner.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Select(e => (Type: e.GetProperty("object_type").GetString(), Action: e.GetProperty("action").GetString(),
                Basis: e.TryGetProperty("basis", out var b) && b.ValueKind == JsonValueKind.Object ? b.GetProperty("type").GetString() : null)).ToList();
        Assert.Contains(("access_policy", "set", null), trail);
        Assert.Contains(trail, e => e is ("access_request", "filed", _));
        Assert.Contains(trail, e => e is ("access_request", "approved", _));
        Assert.Contains(trail, e => e is ("access_grant", "granted", _));
        Assert.Contains(trail, e => e is ("access_grant", "accepted", _));
        Assert.Contains(trail, e => e is ("access_grant", "revoked", _));
        Assert.Contains(trail, e => e is ("file", "downloaded", "approval"));
        Assert.Contains(trail, e => e is ("file", "downloaded", "grant"));
    }
}
