namespace DataSpace.Api.Tests.Features.Consents;

public sealed class ConsentRequestTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Unit, Credentials UnitOrg, HttpClient Bureau, string[] Datasets)> Parties()
    {
        var unitOrg = await api.OrganizationAsync("被请求数源单位", "source_unit");
        var unit = await api.ClientFor(unitOrg);
        var bureau = await api.ClientFor(await api.OrganizationAsync("中山市政务服务和数据管理局", "data_bureau"));
        return (unit, unitOrg, bureau, [await DatasetFlow.CreateAsync(unit), await DatasetFlow.CreateAsync(unit)]);
    }

    private static object RequestBody(string unit, string[] categories, string[]? datasets, DateTimeOffset from, DateTimeOffset until) => new
    {
        unit,
        categories,
        all_datasets = datasets is null,
        dataset_ids = datasets ?? [],
        purpose = new { code = "corpus_reward", text = "2026 年度语料奖励测算" },
        legal_basis = "中府〔2025〕1号",
        valid_from = from,
        valid_until = until,
    };

    private static async Task<string> Ask(HttpClient bureau, object body) =>
        (await (await bureau.PostAsJsonAsync("/v1/consent-requests", body, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    [Fact]
    public async Task The_unit_approves_a_narrower_consent_than_requested()
    {
        var (unit, unitOrg, bureau, datasets) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue", "usage_statistics"], datasets, now, now.AddDays(90)));
        Assert.Equal("pending", (await (await unit.GetAsync($"/v1/consent-requests/{id}", Ct)).AssertJson()).GetProperty("status").GetString());

        var approved = await (await unit.PostAsJsonAsync($"/v1/consent-requests/{id}/approve",
            new { categories = new[] { "usage_statistics" }, dataset_ids = new[] { datasets[0] }, all_datasets = false, valid_until = now.AddDays(30) }, Ct)).AssertJson();

        Assert.Equal("approved", approved.GetProperty("status").GetString());
        var consent = await (await bureau.GetAsync($"/v1/consents/{approved.GetProperty("consent_id").GetString()}", Ct)).AssertJson();
        Assert.Equal(["usage_statistics"], consent.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal([datasets[0]], consent.GetProperty("dataset_ids").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal(id, consent.GetProperty("request_id").GetString());
        await (await unit.PostAsJsonAsync($"/v1/consent-requests/{id}/reject", new { reason = "改变主意" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "consent_request_not_pending");
    }

    [Theory]
    [InlineData("""{"categories":["revenue","dcmm_records"]}""", "categories")]
    [InlineData("""{"all_datasets":true}""", "all_datasets")]
    public async Task An_approval_never_widens_the_request(string body, string field)
    {
        var (unit, unitOrg, bureau, datasets) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue"], [datasets[0]], now, now.AddDays(30)));
        var problem = await (await unit.PostAsync($"/v1/consent-requests/{id}/approve", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "consent_widened");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task An_approval_cannot_extend_the_window()
    {
        var (unit, unitOrg, bureau, _) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue"], null, now, now.AddDays(30)));
        await (await unit.PostAsJsonAsync($"/v1/consent-requests/{id}/approve", new { valid_until = now.AddDays(31) }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "consent_widened");
    }

    [Fact]
    public async Task Another_unit_cannot_approve_a_request_it_was_not_asked()
    {
        var (_, unitOrg, bureau, _) = await Parties();
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("旁边的数源单位", "source_unit"));
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue"], null, now, now.AddDays(30)));
        await (await otherUnit.PostAsJsonAsync($"/v1/consent-requests/{id}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.NotFound, "consent_request_not_found");
    }

    [Fact]
    public async Task A_rejected_request_records_the_reason()
    {
        var (unit, unitOrg, bureau, _) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue"], null, now, now.AddDays(30)));
        var rejected = await (await unit.PostAsJsonAsync($"/v1/consent-requests/{id}/reject", new { reason = "营收数据属于商业秘密" }, Ct)).AssertJson();
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        var seen = await (await bureau.GetAsync($"/v1/consent-requests/{id}", Ct)).AssertJson();
        Assert.Equal("营收数据属于商业秘密", seen.GetProperty("decision_reason").GetString());
    }

    [Fact]
    public async Task An_unanswered_request_expires()
    {
        var (_, unitOrg, bureau, _) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var id = await Ask(bureau, RequestBody(unitOrg.OrganizationId, ["revenue"], null, now, now.AddDays(90)));
        api.Clock.Freeze(DateTimeOffset.UtcNow.AddDays(31));
        try
        {
            // A fresh token: the old ones expired in the jump.
            using var unitNow = await api.ClientFor(unitOrg);
            await (await unitNow.PostAsJsonAsync($"/v1/consent-requests/{id}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "consent_request_expired");
            Assert.Equal("expired", (await (await unitNow.GetAsync($"/v1/consent-requests/{id}", Ct)).AssertJson()).GetProperty("status").GetString());
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    [Fact]
    public async Task A_request_to_a_non_unit_or_for_anothers_datasets_is_refused()
    {
        var (_, unitOrg, bureau, _) = await Parties();
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("数据不属于该单位", "source_unit"));
        var foreign = await DatasetFlow.CreateAsync(otherUnit);
        var builder = await api.OrganizationAsync("模型方", "model_builder");
        var now = DateTimeOffset.UtcNow;
        var notUnit = await (await bureau.PostAsJsonAsync("/v1/consent-requests", RequestBody(builder.OrganizationId, ["revenue"], null, now, now.AddDays(30)), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["unit"], notUnit.ErrorFields());
        var foreignDataset = await (await bureau.PostAsJsonAsync("/v1/consent-requests", RequestBody(unitOrg.OrganizationId, ["dataset_files"], [foreign], now, now.AddDays(30)), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["dataset_ids"], foreignDataset.ErrorFields());
    }
}
