using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace DataSpace.Api.Tests.Features.Records;

/// <summary>Draft → submitted → verified or returned, by role, with evidence files and revisions.</summary>
public sealed class RecordWorkflowTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_DCMM_certificate_goes_from_draft_to_verified_and_changes_start_a_new_revision()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("中山市古镇灯饰数据科技有限公司", "source_unit"));
        using var bureau = await api.ClientFor(await api.OrganizationAsync("中山市政务服务和数据管理局", "data_bureau"));
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("另一家数源单位", "source_unit"));
        using var builder = await api.ClientFor(await api.OrganizationAsync("模型公司", "model_builder"));

        var created = await (await unit.PostAsJsonAsync("/v1/dcmm-certificates", RecordFlow.Dcmm(3), Ct)).AssertJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal(1, created.GetProperty("revision").GetInt32());
        Assert.Equal("2029-03-01", created.GetProperty("valid_until").GetString()); // three years by default
        Assert.False(created.GetProperty("expired").GetBoolean());

        // Drafts are private: the bureau, another unit and a model builder see nothing.
        await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertProblem(HttpStatusCode.NotFound, "record_not_found");
        await (await otherUnit.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertProblem(HttpStatusCode.NotFound, "record_not_found");
        await (await otherUnit.PatchAsJsonAsync($"/v1/dcmm-certificates/{id}", new { level = 5 }, Ct)).AssertProblem(HttpStatusCode.NotFound, "record_not_found");
        await (await builder.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        Assert.Equal(0, (await (await bureau.GetAsync("/v1/review/dcmm-certificates", Ct)).AssertJson()).GetProperty("items").GetArrayLength());

        // Submitting needs the evidence file; the bureau cannot verify a draft.
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_incomplete");
        await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "record_not_found");
        var evidence = "%PDF-1.7 DCMM 稳健级 证书扫描件"u8.ToArray();
        var withEvidence = await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "DCMM 证书（稳健级）.pdf", evidence)).AssertJson();
        Assert.Equal("DCMM 证书（稳健级）.pdf", withEvidence.GetProperty("evidence").GetProperty("file_name").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(evidence)), withEvidence.GetProperty("evidence").GetProperty("sha256").GetString());

        var submitted = await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        await (await unit.PatchAsJsonAsync($"/v1/dcmm-certificates/{id}", new { level = 4 }, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_editable");
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "x.pdf", [1])).AssertProblem(HttpStatusCode.Conflict, "record_not_editable");

        // The bureau sees it in its queue, and only the bureau verifies or returns.
        var queue = await (await bureau.GetAsync("/v1/review/dcmm-certificates", Ct)).AssertJson();
        Assert.Equal(id, queue.GetProperty("items")[0].GetProperty("id").GetString());
        await (await unit.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        await (await bureau.PostAsJsonAsync($"/v1/review/dcmm-certificates/{id}/return", new { reason = "" }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        var returned = await (await bureau.PostAsJsonAsync($"/v1/review/dcmm-certificates/{id}/return", new { reason = "证书扫描件不清晰，请重新上传" }, Ct)).AssertJson();
        Assert.Equal("returned", returned.GetProperty("status").GetString());
        Assert.Equal("证书扫描件不清晰，请重新上传", returned.GetProperty("return_reason").GetString());
        await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_submitted");

        // The unit fixes it and resubmits; the bureau verifies: frozen, with a content hash.
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "证书-清晰版.pdf", "%PDF-1.7 clear"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        var verified = await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertJson();
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.Matches("^[0-9a-f]{64}$", verified.GetProperty("content_sha256").GetString()!);
        await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_submitted");
        await (await unit.PatchAsJsonAsync($"/v1/dcmm-certificates/{id}", new { level = 4 }, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_editable");

        // A change starts revision 2, private until submitted; the bureau still sees revision 1.
        var revision2 = await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/revisions", null, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(2, revision2.GetProperty("revision").GetInt32());
        Assert.Equal("draft", revision2.GetProperty("status").GetString());
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/revisions", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_verified");
        await (await unit.PatchAsJsonAsync($"/v1/dcmm-certificates/{id}", new { certifying_body = "中国电子技术标准化研究院" }, Ct)).AssertJson();
        var seenByBureau = await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson();
        Assert.Equal(1, seenByBureau.GetProperty("revision").GetInt32());
        Assert.Equal("中国电子信息行业联合会", seenByBureau.GetProperty("certifying_body").GetString());
        Assert.Equal("证书-清晰版.pdf", (await bureau.GetAsync($"/v1/dcmm-certificates/{id}/evidence", Ct)).Content.Headers.ContentDisposition?.FileNameStar);

        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsync($"/v1/review/dcmm-certificates/{id}/verify", null, Ct)).AssertJson();
        Assert.Equal("superseded", (await (await unit.GetAsync($"/v1/dcmm-certificates/{id}/revisions/1", Ct)).AssertJson()).GetProperty("status").GetString());
        Assert.Equal("中国电子技术标准化研究院", (await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson()).GetProperty("certifying_body").GetString());

        // Every change is in the audit trail of the unit.
        var trail = await (await unit.GetAsync("/v1/audit?limit=100", Ct)).AssertJson();
        var actions = trail.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("object_type").GetString() == "dcmm_certificate")
            .Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "created", "evidence_uploaded", "submitted", "returned", "verified", "revision_opened", "updated", "read" })
        {
            Assert.Contains(action, actions);
        }
    }

    [Fact]
    public async Task Expired_certificates_are_flagged_in_every_listing()
    {
        var unitOrg = await api.OrganizationAsync("到期证书单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var bureau = await api.ClientFor(await api.OrganizationAsync("数据局（到期）", "data_bureau"));
        var expired = await RecordFlow.VerifiedAsync(unit, bureau, "dcmm-certificates", RecordFlow.Dcmm(3, "DCMM-2020-0001", "2020-01-01")); // valid until 2023-01-01
        var current = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(4, "DCMM-2026-0002", "2026-01-01"));

        bool Flag(JsonElement page, string id) => page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("expired").GetBoolean();
        var own = await (await unit.GetAsync("/v1/dcmm-certificates", Ct)).AssertJson();
        Assert.True(Flag(own, expired));
        Assert.False(Flag(own, current));
        Assert.True(Flag(await (await bureau.GetAsync($"/v1/dcmm-certificates?unit={unitOrg.OrganizationId}", Ct)).AssertJson(), expired));
        var one = await (await bureau.GetAsync($"/v1/dcmm-certificates/{expired}", Ct)).AssertJson();
        Assert.True(one.GetProperty("expired").GetBoolean());
        Assert.Equal("2023-01-01", one.GetProperty("valid_until").GetString());
    }

    [Fact]
    public async Task Evidence_downloads_with_its_Chinese_name_hash_and_digest_and_hostile_names_are_refused()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("证据文件单位", "source_unit"));
        var id = await RecordFlow.CreateAsync(unit, "data-space-pilots", RecordFlow.Pilot("city", 1_000_000));
        var content = DatasetFlow.RandomBytes(300_000);
        await (await RecordFlow.UploadAsync(unit, $"/v1/data-space-pilots/{id}/evidence", "中山市可信数据空间试点批复（2026）.pdf", content)).AssertJson();

        var download = await unit.GetAsync($"/v1/data-space-pilots/{id}/evidence", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("中山市可信数据空间试点批复（2026）.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal($"\"{DatasetFlow.Sha256Hex(content)}\"", download.Headers.ETag?.ToString());
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:", download.Headers.GetValues("Content-Digest").Single());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);

        foreach (var hostile in new[] { "../../etc/passwd", "a/b.pdf", "..", "con\u0001trol.pdf", "\\\\server\\share.pdf", new string('长', 100) })
        {
            await (await RecordFlow.UploadAsync(unit, $"/v1/data-space-pilots/{id}/evidence", hostile, [1, 2, 3])).AssertProblem(HttpStatusCode.BadRequest, "invalid_file_name");
        }

        // No name at all.
        await (await unit.PutAsync($"/v1/data-space-pilots/{id}/evidence", new ByteArrayContent([1]), Ct)).AssertProblem(HttpStatusCode.BadRequest, "invalid_file_name");
        // The evidence is still the first file.
        Assert.Equal(content, await unit.GetByteArrayAsync($"/v1/data-space-pilots/{id}/evidence", Ct));
        await (await RecordFlow.UploadAsync(unit, $"/v1/data-space-pilots/{Guid.NewGuid()}/evidence", "a.pdf", [1])).AssertProblem(HttpStatusCode.NotFound, "record_not_found");
    }

    [Fact]
    public async Task Bad_inputs_name_their_fields_and_change_nothing()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("校验单位", "source_unit"));
        using var other = await api.ClientFor(await api.OrganizationAsync("别人家的单位", "source_unit"));
        var foreignDataset = await DatasetFlow.CreateAsync(other);

        var problem = await (await unit.PostAsJsonAsync("/v1/dcmm-certificates", new { standard = "GB/T 0000", level = 6, issued_on = "2026-01-01", valid_until = "2025-01-01" }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Superset(new HashSet<string> { "standard", "level", "certificate_number", "certifying_body", "valid_until" }, new HashSet<string>(problem.ErrorFields()));

        problem = await (await unit.PostAsJsonAsync("/v1/data-assets", new { name = "资产", accounting_category = "intangible_asset", acquisition = "stolen", cost_fen = -1, recognition_date = "2026-01-01", dataset_ids = new[] { foreignDataset, "nope" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Superset(new HashSet<string> { "acquisition", "cost_fen", "useful_life_months", "dataset_ids" }, new HashSet<string>(problem.ErrorFields()));

        problem = await (await unit.PostAsJsonAsync("/v1/data-assets", new { name = "资产", accounting_category = "inventory", acquisition = "purchased", cost_fen = 1, recognition_date = "2026-01-01", dataset_ids = new[] { foreignDataset } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("not one of your datasets", problem.GetProperty("errors").GetProperty("dataset_ids")[0].GetString(), StringComparison.Ordinal);

        await (await unit.PostAsJsonAsync("/v1/data-space-pilots", new { level = "village", project_name = "x", approval_number = "y", construction_cost_fen = 0 }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.PostAsync("/v1/data-space-pilots", new StringContent("{\"level\": \"city\",", System.Text.Encoding.UTF8, "application/json"), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        await (await unit.PostAsync("/v1/data-space-pilots", new StringContent("{\"level\": \"city\", \"construction_cost_fen\": \"100\", \"project_name\": \"p\", \"approval_number\": \"a\"}", System.Text.Encoding.UTF8, "application/json"), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        await (await unit.PostAsJsonAsync("/v1/data-space-pilots", new { level = "city", project_name = "p", approval_number = "a", construction_cost_fen = 1, evidence = new { id = "x" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        // A patch that would make the record invalid changes nothing.
        var id = await RecordFlow.CreateAsync(unit, "data-space-pilots", RecordFlow.Pilot("city", 100));
        await (await unit.PatchAsJsonAsync($"/v1/data-space-pilots/{id}", new { construction_cost_fen = -5 }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.PatchAsJsonAsync($"/v1/data-space-pilots/{id}", new { construction_cost_fen = "five" }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        Assert.Equal(100, (await (await unit.GetAsync($"/v1/data-space-pilots/{id}", Ct)).AssertJson()).GetProperty("construction_cost_fen").GetInt64());
        var patched = await (await unit.PatchAsJsonAsync($"/v1/data-space-pilots/{id}", new { project_name = "  试点项目（二期）  " }, Ct)).AssertJson();
        Assert.Equal("试点项目（二期）", patched.GetProperty("project_name").GetString());
        Assert.Equal(100, patched.GetProperty("construction_cost_fen").GetInt64());

        // Nothing was created by the refused requests: the unit lists exactly the one pilot.
        Assert.Equal(1, (await (await unit.GetAsync("/v1/data-space-pilots", Ct)).AssertJson()).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await (await unit.GetAsync("/v1/dcmm-certificates", Ct)).AssertJson()).GetProperty("items").GetArrayLength());
        await (await unit.GetAsync("/v1/dcmm-certificates?status=lost", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.GetAsync("/v1/dcmm-certificates?cursor=%%%", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_data_asset_keeps_valuations_and_registrations_apart_from_book_value()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("入表单位", "source_unit"));
        using var bureau = await api.ClientFor(await api.OrganizationAsync("数据局（入表）", "data_bureau"));
        var dataset = await DatasetFlow.CreateAsync(unit);
        var asset = (await (await unit.PostAsJsonAsync("/v1/data-assets", new
        {
            name = "灯饰出口统计数据资产",
            dataset_ids = new[] { dataset },
            accounting_category = "intangible_asset",
            acquisition = "self_developed",
            cost_fen = 12_345_678,
            recognition_date = "2026-06-30",
            useful_life_months = 60,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var valuation = new { assessor_firm = "广东中联羊城资产评估有限公司", appraisers = new[] { "张三", "李四" }, methods = new[] { "market", "income" }, base_date = "2026-06-30", value_fen = 50_000_000, report_number = "中联羊城评字〔2026〕第0101号", assessment_fee_fen = 8_000_000 };
        await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", valuation with { }, Ct)).AssertJson(HttpStatusCode.Created);
        await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", new { assessor_firm = "x", appraisers = Array.Empty<string>(), methods = new[] { "guess" }, value_fen = -1 }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        // Two registrations added concurrently: both kept (the revision is changed under a row lock).
        var adds = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => unit.PostAsJsonAsync($"/v1/data-assets/{asset}/registrations",
            new { exchange = "广州数据交易所", certificate_number = $"GZDE-2026-{i}", type = i == 0 ? "initial" : "change", registered_on = "2026-07-01" }, Ct)));
        Assert.All(adds, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var record = await (await unit.GetAsync($"/v1/data-assets/{asset}", Ct)).AssertJson();
        Assert.Equal(2, record.GetProperty("registrations").GetArrayLength());
        Assert.Equal(12_345_678, record.GetProperty("cost_fen").GetInt64());
        var v = record.GetProperty("valuations")[0];
        Assert.Equal(50_000_000, v.GetProperty("value_fen").GetInt64());
        Assert.Equal(["income", "market"], v.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));

        // The valuation needs its report before submission.
        await (await unit.PostAsync($"/v1/data-assets/{asset}/submit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_incomplete");
        var valuationId = v.GetProperty("id").GetString();
        await (await RecordFlow.UploadAsync(unit, $"/v1/data-assets/{asset}/valuations/{Guid.NewGuid()}/report", "报告.pdf", [1])).AssertProblem(HttpStatusCode.NotFound, "valuation_not_found");
        var report = "%PDF 资产评估报告"u8.ToArray();
        await (await RecordFlow.UploadAsync(unit, $"/v1/data-assets/{asset}/valuations/{valuationId}/report", "资产评估报告.pdf", report)).AssertJson();
        await (await unit.PostAsync($"/v1/data-assets/{asset}/submit", null, Ct)).AssertJson();
        Assert.Equal(report, await bureau.GetByteArrayAsync($"/v1/data-assets/{asset}/valuations/{valuationId}/report", Ct));
        await (await bureau.PostAsync($"/v1/review/data-assets/{asset}/verify", null, Ct)).AssertJson();
        await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", valuation, Ct)).AssertProblem(HttpStatusCode.Conflict, "record_not_editable");

        // The bureau's list shows what was submitted, filtered by unit.
        var listed = await (await bureau.GetAsync($"/v1/data-assets?status=verified", Ct)).AssertJson();
        Assert.Contains(asset, listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Review_queue_is_oldest_submission_first_and_pages_with_a_cursor()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("排队单位", "source_unit"));
        using var bureau = await api.ClientFor(await api.OrganizationAsync("数据局（排队）", "data_bureau"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await RecordFlow.CreateAsync(unit, "data-space-pilots", RecordFlow.Pilot("provincial", 100 + i, $"试点{i}"));
            await (await RecordFlow.UploadAsync(unit, $"/v1/data-space-pilots/{id}/evidence", "批复.pdf", [(byte)i])).AssertJson();
            ids.Add(id);
        }

        foreach (var id in Enumerable.Reverse(ids))
        {
            await (await unit.PostAsync($"/v1/data-space-pilots/{id}/submit", null, Ct)).AssertJson();
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await bureau.GetAsync($"/v1/review/data-space-pilots?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}", Ct)).AssertJson();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(ids), seen.Where(ids.Contains));
        await (await bureau.GetAsync("/v1/review/data-space-pilots?cursor=abc", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Authorities_read_beyond_submissions_only_under_the_units_consent()
    {
        var unitOrg = await api.OrganizationAsync("授权单位（记录）", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("市工信局（记录）", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var draft = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(4));

        await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/dcmm-certificates", Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_required");
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["asset_records"]));
        await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/dcmm-certificates", Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_scope_mismatch");
        var consent = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dcmm_records"]));
        var response = await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/dcmm-certificates", Ct);
        var page = await response.AssertJson();
        Assert.Equal(draft, page.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(consent, response.Headers.GetValues("X-DataSpace-Consent").Single());
        Assert.Equal(0, (await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/data-assets", Ct)).AssertJson()).GetProperty("items").GetArrayLength());
        await (await authority.GetAsync($"/v1/authority/units/{Guid.NewGuid()}/dcmm-certificates", Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
    }

    [Fact]
    public async Task Creating_with_the_same_idempotency_key_twice_creates_one_record()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("幂等单位", "source_unit"));
        HttpRequestMessage Request()
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/v1/data-space-pilots") { Content = JsonContent.Create(RecordFlow.Pilot("national", 5)) };
            r.Headers.Add("Idempotency-Key", "pilot-create-1");
            return r;
        }

        var first = await (await unit.SendAsync(Request(), Ct)).AssertJson(HttpStatusCode.Created);
        var second = await (await unit.SendAsync(Request(), Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(1, (await (await unit.GetAsync("/v1/data-space-pilots", Ct)).AssertJson()).GetProperty("items").GetArrayLength());
    }
}

/// <summary>Evidence over Records:MaxFileBytes, with its own API instance for the setting.</summary>
public sealed class RecordFileLimitTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _small = new DataSpaceApiFactory().WithSetting("Records:MaxFileBytes", "1000");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _small.InitializeAsync();

    public ValueTask DisposeAsync() => _small.DisposeAsync();

    [Fact]
    public async Task Oversize_evidence_is_413_and_leaves_nothing()
    {
        var unitOrg = await _small.OrganizationAsync("大文件单位", "source_unit");
        using var unit = await _small.ClientFor(unitOrg);
        var id = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(2));
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "大.pdf", new byte[1001])).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var record = await (await unit.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson();
        Assert.False(record.TryGetProperty("evidence", out var e) && e.ValueKind != JsonValueKind.Null);
    }
}
