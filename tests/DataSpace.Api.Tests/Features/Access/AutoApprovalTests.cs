namespace DataSpace.Api.Tests.Features.Access;

/// <summary>
/// Auto-approval by what the bureau or the listing review verified: an owner's rules approve, when they file, requesters
/// holding a verified, unexpired record of a kind (a DCMM certificate from a lowest level up, a data-asset registration)
/// or a listing certificate in force; an expired, returned or unverified record, or a listing still under review, leaves
/// the request to the owner.
/// </summary>
public sealed class AutoApprovalTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Owner, string Dataset)> GatedAsync(object rules)
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("自动审批数源单位", "source_unit"));
        var dataset = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.jsonl"] = "{}\n"u8.ToArray() });
        await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new { policy = "approval", auto_approve_certificates = rules }, Ct)).AssertJson();
        return (owner, dataset);
    }

    /// <summary>A requester (a unit that also builds models) with the record <paramref name="prepare"/> leaves it.</summary>
    private async Task<HttpClient> RequesterAsync(string name, Func<HttpClient, HttpClient, Task> prepare)
    {
        var unit = await api.ClientFor(await api.OrganizationAsync(name, "source_unit", "model_builder"));
        using var bureau = await api.ClientFor(await api.OrganizationAsync("自动审批数据局", "data_bureau"));
        await prepare(unit, bureau);
        return unit;
    }

    private static async Task<string> FileAsync(HttpClient requester, string dataset) =>
        (await (await requester.PostAsJsonAsync($"/v1/datasets/{dataset}/access-requests", new
        {
            purpose = "model_training", use_case = "训练灯饰质检模型", contact = "张工", disclose_identity = true,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("status").GetString()!;

    private static async Task SubmittedDcmmAsync(HttpClient unit, string id)
    {
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "证书.pdf", "%PDF-1.7"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
    }

    [Fact]
    public async Task Holders_of_a_verified_unexpired_record_are_approved_when_they_file_and_others_wait_for_the_owner()
    {
        var (owner, dataset) = await GatedAsync(new object[] { new { kind = "dcmm_certificate", min_level = 3 }, new { kind = "data_asset" } });
        var policy = await (await owner.GetAsync($"/v1/datasets/{dataset}/access-policy", Ct)).AssertJson();
        Assert.Equal(["dcmm_certificate:3", "data_asset:"], policy.GetProperty("auto_approve_certificates").EnumerateArray()
            .Select(r => r.GetProperty("kind").GetString() + ":" + (r.TryGetProperty("min_level", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "")));

        var level3 = await RequesterAsync("三级DCMM模型方", (unit, bureau) => RecordFlow.VerifiedAsync(unit, bureau, "dcmm-certificates", RecordFlow.Dcmm(3)));
        Assert.Equal("approved", await FileAsync(level3, dataset));
        Assert.Equal(HttpStatusCode.OK, (await level3.GetAsync(DatasetFlow.FileUrl(dataset, 1, "a.jsonl"), Ct)).StatusCode);
        await api.UsageEventsSettledAsync(dataset);

        var asset = await RequesterAsync("数据资产入表模型方", async (unit, bureau) =>
        {
            var id = await RecordFlow.CreateAsync(unit, "data-assets", RecordFlow.Asset());
            await (await unit.PostAsync($"/v1/data-assets/{id}/submit", null, Ct)).AssertJson();
            await (await bureau.PostAsync($"/v1/review/data-assets/{id}/verify", null, Ct)).AssertJson();
        });
        Assert.Equal("approved", await FileAsync(asset, dataset));

        var level2 = await RequesterAsync("二级DCMM模型方", (unit, bureau) => RecordFlow.VerifiedAsync(unit, bureau, "dcmm-certificates", RecordFlow.Dcmm(2)));
        Assert.Equal("pending", await FileAsync(level2, dataset));

        // Issued 2022-01-01, valid three years: verified, but expired.
        var expired = await RequesterAsync("证书过期模型方", (unit, bureau) => RecordFlow.VerifiedAsync(unit, bureau, "dcmm-certificates", RecordFlow.Dcmm(5, issued: "2022-01-01")));
        Assert.Equal("pending", await FileAsync(expired, dataset));

        var returned = await RequesterAsync("证书退回模型方", async (unit, bureau) =>
        {
            var id = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(5));
            await SubmittedDcmmAsync(unit, id);
            await (await bureau.PostAsJsonAsync($"/v1/review/dcmm-certificates/{id}/return", new { reason = "证书编号无法核验" }, Ct)).AssertJson();
        });
        Assert.Equal("pending", await FileAsync(returned, dataset));

        var unverified = await RequesterAsync("证书待审模型方", async (unit, _) =>
            await SubmittedDcmmAsync(unit, await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(5))));
        Assert.Equal("pending", await FileAsync(unverified, dataset));
        await (await unverified.GetAsync(DatasetFlow.FileUrl(dataset, 1, "a.jsonl"), Ct)).AssertProblem(HttpStatusCode.Forbidden, "access_request_pending");

        // The owner's trail says which rule and which record approved the automatic ones.
        var approvals = (await (await owner.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == "access_request" && e.GetProperty("action").GetString() == "approved")
            .Select(e => e.GetProperty("details").GetProperty("rule").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Collection(approvals, r => Assert.StartsWith("data_asset ", r, StringComparison.Ordinal), r => Assert.StartsWith("dcmm_certificate ", r, StringComparison.Ordinal));
    }

    /// <summary>
    /// A paid draft of the requester's, assessed for compliance and quality by a registered assessor, with a listing
    /// application submitted for its first version; the bureau verifies it (a certificate is issued) when <paramref name="verify"/>.
    /// </summary>
    private async Task ListingAsync(HttpClient unit, bool verify)
    {
        var dataset = await DatasetFlow.CreateAsync(unit, DatasetFlow.ValidFields("挂牌产品 " + Guid.NewGuid().ToString("N")[..6], "paid"));
        var version = await DatasetFlow.OpenVersionAsync(unit, dataset);
        await (await DatasetFlow.UploadAsync(unit, dataset, version, "出口.csv", "月份,出口额\n2026-01,100\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(unit, dataset, version);
        var reports = await ListingFlow.AssessedAsync(api, unit, dataset);
        var listing = (await (await unit.PostAsJsonAsync($"/v1/datasets/{dataset}/listings", ListingFlow.Application(reports), Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await unit.PostAsync($"/v1/listings/{listing}/submit", null, Ct)).AssertJson();
        if (verify)
        {
            using var reviewer = await api.ClientFor(await api.OrganizationAsync("挂牌审核数据局", "data_bureau"));
            await (await reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertJson();
        }
    }

    [Fact]
    public async Task A_listing_certificate_in_force_approves_its_holder_and_an_application_under_review_does_not()
    {
        var (_, dataset) = await GatedAsync(new object[] { new { kind = "listing_certificate" } });
        var listed = await RequesterAsync("已挂牌模型方", (unit, _) => ListingAsync(unit, verify: true));
        Assert.Equal("approved", await FileAsync(listed, dataset));

        var reviewing = await RequesterAsync("挂牌审核中模型方", (unit, _) => ListingAsync(unit, verify: false));
        Assert.Equal("pending", await FileAsync(reviewing, dataset));
    }

    [Fact]
    public async Task Bad_certificate_rules_are_refused_by_field_and_change_nothing()
    {
        var (owner, dataset) = await GatedAsync(new object[] { new { kind = "listing_certificate" } });
        var bad = await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new
        {
            policy = "approval",
            auto_approve_certificates = new object[]
            {
                new { kind = "iso_27001" }, new { kind = "data_asset", min_level = 3 }, new { kind = "dcmm_certificate", min_level = 6 }, new { min_level = 2 },
            },
        }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["auto_approve_certificates[0].kind", "auto_approve_certificates[1].min_level", "auto_approve_certificates[2].min_level", "auto_approve_certificates[3].kind"],
            bad.ErrorFields().Order(StringComparer.Ordinal));
        var repeated = await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new
        {
            policy = "approval", auto_approve_certificates = new[] { new { kind = "data_asset" }, new { kind = "data_asset" } },
        }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["auto_approve_certificates"], repeated.ErrorFields());

        var kept = await (await owner.GetAsync($"/v1/datasets/{dataset}/access-policy", Ct)).AssertJson();
        Assert.Equal(["listing_certificate"], kept.GetProperty("auto_approve_certificates").EnumerateArray().Select(r => r.GetProperty("kind").GetString()));
    }
}
