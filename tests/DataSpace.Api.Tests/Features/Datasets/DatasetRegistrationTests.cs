using System.Text;
using System.Text.Json.Nodes;

namespace DataSpace.Api.Tests.Features.Datasets;

public sealed class DatasetRegistrationTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> SourceUnit(string name = "古镇灯饰数据科技") => await api.ClientFor(await api.OrganizationAsync(name, "source_unit"));

    [Fact]
    public async Task The_owner_deletes_a_draft_with_its_open_version_and_nothing_else_changes()
    {
        using var unit = await SourceUnit("删除草稿数源单位");
        using var other = await SourceUnit("删除草稿旁观单位");
        var keep = await DatasetFlow.CreateAsync(unit);
        var draft = await DatasetFlow.CreateAsync(unit, DatasetFlow.ValidFields("待删除的草稿", "paid"));
        var version = await DatasetFlow.OpenVersionAsync(unit, draft);
        await (await DatasetFlow.UploadAsync(unit, draft, version, "a.csv", "x,y\n1,2\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await (await unit.PostAsJsonAsync($"/v1/datasets/{draft}/plans", new { kind = "one_time", price_fen = 100 }, Ct)).AssertJson(HttpStatusCode.Created);

        await (await other.DeleteAsync($"/v1/datasets/{draft}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        var deleted = await unit.DeleteAsync($"/v1/datasets/{draft}", Ct);
        Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync(Ct));

        await (await unit.GetAsync($"/v1/datasets/{draft}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        await (await unit.DeleteAsync($"/v1/datasets/{draft}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        Assert.Equal("draft", (await (await unit.GetAsync($"/v1/datasets/{keep}", Ct)).AssertJson()).GetProperty("status").GetString());
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        var d = Guid.Parse(draft);
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn,
            "select (select count(*) from version_files where dataset_id = @d) + (select count(*) from dataset_versions where dataset_id = @d) + (select count(*) from plans where dataset_id = @d)", new { d }));
        Assert.Equal(1L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn,
            "select count(*) from audit_events where object_type = 'dataset' and object_id = @draft and action = 'deleted'", new { draft }));
    }

    [Fact]
    public async Task Published_datasets_and_drafts_with_a_committed_version_are_not_deleted()
    {
        using var unit = await SourceUnit("不可删除数源单位");
        var published = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "x\n1\n"u8.ToArray() });
        var committed = await DatasetFlow.CreateAsync(unit);
        var version = await DatasetFlow.OpenVersionAsync(unit, committed);
        await (await DatasetFlow.UploadAsync(unit, committed, version, "b.csv", "x\n2\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(unit, committed, version);

        await (await unit.DeleteAsync($"/v1/datasets/{published}", Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_state_conflict");
        await (await unit.DeleteAsync($"/v1/datasets/{committed}", Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_has_committed_version");
        Assert.Equal("published", (await (await unit.GetAsync($"/v1/datasets/{published}", Ct)).AssertJson()).GetProperty("status").GetString());
        Assert.Equal(1, (await (await unit.GetAsync($"/v1/datasets/{committed}", Ct)).AssertJson()).GetProperty("latest_version").GetInt32());
    }

    [Fact]
    public async Task A_misspelt_member_is_refused_by_name_on_create_and_on_patch()
    {
        using var unit = await SourceUnit("拼写错误数源单位");
        var fields = DatasetFlow.ValidFields();
        fields["titel"] = "typo";
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "unknown_member");
        Assert.Equal(["titel"], problem.ErrorFields());
        Assert.Contains("'titel'", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);

        var id = await DatasetFlow.CreateAsync(unit);
        var patch = JsonContent.Create(new { provenance = new { legal_bases = "x" } });
        var patched = await (await unit.PatchAsync($"/v1/datasets/{id}", patch, Ct)).AssertProblem(HttpStatusCode.BadRequest, "unknown_member");
        Assert.Equal(["provenance.legal_bases"], patched.ErrorFields());
    }

    [Fact]
    public async Task A_source_unit_registers_a_draft_with_provenance_and_reads_it_back_in_Chinese()
    {
        using var unit = await SourceUnit();
        var response = await unit.PostAsJsonAsync("/v1/datasets", DatasetFlow.ValidFields(), Ct);

        var created = await response.AssertJson(HttpStatusCode.Created);
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal("中山市灯饰出口统计 Lighting exports", created.GetProperty("title").GetString());
        Assert.Equal("CC BY 4.0\n署名后可自由使用。", created.GetProperty("licence").GetString());
        var provenance = created.GetProperty("provenance");
        Assert.Equal("self_operated", provenance.GetProperty("source_type").GetString());
        Assert.Equal("2020-01-01", provenance.GetProperty("collection_period").GetProperty("start").GetString());
        Assert.Equal("中山市古镇灯饰数据科技有限公司", provenance.GetProperty("rights").GetProperty("product_operation").GetProperty("holder").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("latest_version").ValueKind);
        var fetched = await (await unit.GetAsync(response.Headers.Location, Ct)).AssertJson();
        Assert.Equal(created.GetProperty("id").GetString(), fetched.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Core_data_is_refused_with_its_own_code_saying_why()
    {
        using var unit = await SourceUnit();
        var fields = DatasetFlow.ValidFields();
        fields["security_level"] = "core";
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "core_data_refused");
        Assert.Contains("核心数据", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["security_level"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("anonymised")]
    [InlineData("separate_consent")]
    public async Task Personal_information_needs_a_consent_reference(string kind)
    {
        using var unit = await SourceUnit();
        var fields = DatasetFlow.ValidFields();
        fields["personal_information"] = kind;
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["personal_information_consent_ref"], problem.ErrorFields());

        fields["personal_information_consent_ref"] = "PIA-2026-017 个人信息保护影响评估";
        await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_empty_body_names_every_missing_field_including_nested_provenance()
    {
        using var unit = await SourceUnit();
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", new { provenance = new { rights = new { } } }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem.ErrorFields();
        foreach (var expected in new[]
        {
            "title", "industry", "access", "licence", "update_frequency", "security_level", "personal_information",
            "provenance.source_type", "provenance.source_systems", "provenance.collection_period", "provenance.collection_method",
            "provenance.legal_basis", "provenance.rights.resource_holding.holder", "provenance.rights.processing_use.basis",
            "provenance.rights.product_operation.holder",
        })
        {
            Assert.Contains(expected, fields);
        }
    }

    [Theory]
    [InlineData("access", "free")]
    [InlineData("update_frequency", "hourly-ish")]
    [InlineData("security_level", "secret")]
    [InlineData("title", "")]
    public async Task Unknown_vocabulary_is_a_validation_problem(string field, string value)
    {
        using var unit = await SourceUnit();
        var fields = DatasetFlow.ValidFields();
        fields[field] = value;
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_collection_period_ending_before_it_starts_is_refused()
    {
        using var unit = await SourceUnit();
        var fields = DatasetFlow.ValidFields();
        var provenance = (Dictionary<string, object?>)fields["provenance"]!;
        provenance["collection_period"] = new { start = "2025-01-01", end = "2024-01-01" };
        var problem = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["provenance.collection_period.end"], problem.ErrorFields());
    }

    [Fact]
    public async Task Derived_data_needs_visible_parents()
    {
        using var unit = await SourceUnit();
        using var other = await SourceUnit("另一数源单位");
        var othersDraft = await DatasetFlow.CreateAsync(other);
        var othersPublished = await DatasetFlow.PublishedAsync(other, new Dictionary<string, byte[]> { ["a.csv"] = "a,b\n1,2\n"u8.ToArray() });
        var fields = DatasetFlow.ValidFields();
        var provenance = (Dictionary<string, object?>)fields["provenance"]!;
        provenance["source_type"] = "derived";

        var none = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["provenance.lineage"], none.ErrorFields());

        provenance["lineage"] = new[] { othersDraft, Guid.NewGuid().ToString() };
        var invisible = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(2, invisible.GetProperty("errors").GetProperty("provenance.lineage").GetArrayLength());

        provenance["lineage"] = new[] { othersPublished };
        var created = await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal([othersPublished], created.GetProperty("provenance").GetProperty("lineage").EnumerateArray().Select(e => e.GetString()!));

        // A draft another dataset derives from cannot be deleted: the lineage would point at nothing.
        var parent = await DatasetFlow.CreateAsync(unit);
        provenance["lineage"] = new[] { parent };
        await (await unit.PostAsJsonAsync("/v1/datasets", fields, Ct)).AssertJson(HttpStatusCode.Created);
        await (await unit.DeleteAsync($"/v1/datasets/{parent}", Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_in_use");
        Assert.Equal("draft", (await (await unit.GetAsync($"/v1/datasets/{parent}", Ct)).AssertJson()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("model_builder")]
    [InlineData("data_bureau")]
    [InlineData("authority")]
    [InlineData("operator")]
    public async Task Only_source_units_register_datasets(string role)
    {
        using var client = await api.ClientFor(await api.OrganizationAsync("非数源单位", role));
        await (await client.PostAsJsonAsync("/v1/datasets", DatasetFlow.ValidFields(), Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }

    [Fact]
    public async Task Malformed_json_and_wrong_types_change_nothing()
    {
        using var unit = await SourceUnit();
        await (await unit.PostAsync("/v1/datasets", new StringContent("{\"title\": \"半截", Encoding.UTF8, "application/json"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        await (await unit.PostAsync("/v1/datasets", new StringContent("{\"tags\": \"灯饰\"}", Encoding.UTF8, "application/json"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        await (await unit.PostAsync("/v1/datasets", new StringContent("{\"provenance\": {\"collection_period\": {\"start\": \"去年\"}}}", Encoding.UTF8, "application/json"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        var me = (await (await unit.GetAsync("/v1/organizations/me", Ct)).AssertJson()).GetProperty("organization").GetProperty("id").GetString();
        var mine = await (await unit.GetAsync($"/v1/datasets?owner={me}", Ct)).AssertJson();
        Assert.Empty(mine.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_owner_patches_with_a_merge_patch_and_the_result_is_validated_whole()
    {
        using var unit = await SourceUnit();
        var id = await DatasetFlow.CreateAsync(unit);

        var patched = await (await unit.PatchAsync($"/v1/datasets/{id}", JsonContent.Create(new { title = "灯饰出口统计（修订）", provenance = new { legal_basis = "企业自有经营数据；合同 HT-2026-3" } }), Ct)).AssertJson();
        Assert.Equal("灯饰出口统计（修订）", patched.GetProperty("title").GetString());
        Assert.Equal("企业自有经营数据；合同 HT-2026-3", patched.GetProperty("provenance").GetProperty("legal_basis").GetString());
        Assert.Equal("系统导出，人工复核", patched.GetProperty("provenance").GetProperty("collection_method").GetString());

        var removed = await (await unit.PatchAsync($"/v1/datasets/{id}", new StringContent("{\"licence\": null}", Encoding.UTF8, "application/merge-patch+json"), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["licence"], removed.ErrorFields());
        await (await unit.PatchAsync($"/v1/datasets/{id}", new StringContent("{\"tags\": 5}", Encoding.UTF8, "application/json"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        var unchanged = await (await unit.GetAsync($"/v1/datasets/{id}", Ct)).AssertJson();
        Assert.Equal("灯饰出口统计（修订）", unchanged.GetProperty("title").GetString());
        Assert.Equal("CC BY 4.0\n署名后可自由使用。", unchanged.GetProperty("licence").GetString());
    }

    [Fact]
    public async Task A_dataset_cannot_be_its_own_parent()
    {
        using var unit = await SourceUnit();
        var id = await DatasetFlow.CreateAsync(unit);
        var problem = await (await unit.PatchAsync($"/v1/datasets/{id}", JsonContent.Create(new { provenance = new { source_type = "derived", lineage = new[] { id } } }), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["provenance.lineage"], problem.ErrorFields());
    }

    [Fact]
    public async Task Others_see_published_datasets_but_not_drafts_and_cannot_edit()
    {
        using var unit = await SourceUnit();
        using var stranger = await SourceUnit("陌生数源单位");
        var draft = await DatasetFlow.CreateAsync(unit);
        var published = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["x.csv"] = "x\n1\n"u8.ToArray() });

        await (await stranger.GetAsync($"/v1/datasets/{draft}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        await (await stranger.PatchAsync($"/v1/datasets/{draft}", JsonContent.Create(new { title = "抢改" }), Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        await (await stranger.GetAsync($"/v1/datasets/{published}", Ct)).AssertJson();
        await (await stranger.PatchAsync($"/v1/datasets/{published}", JsonContent.Create(new { title = "抢改" }), Ct)).AssertProblem(HttpStatusCode.Forbidden, "not_dataset_owner");
        await (await stranger.PostAsync($"/v1/datasets/{published}/withdraw", null, Ct)).AssertProblem(HttpStatusCode.Forbidden, "not_dataset_owner");
    }

    [Fact]
    public async Task Publishing_needs_a_committed_version()
    {
        using var unit = await SourceUnit();
        var id = await DatasetFlow.CreateAsync(unit);
        await (await unit.PostAsync($"/v1/datasets/{id}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "no_committed_version");
        var version = await DatasetFlow.OpenVersionAsync(unit, id);
        await (await unit.PostAsync($"/v1/datasets/{id}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "no_committed_version");
        await DatasetFlow.UploadAsync(unit, id, version, "data.csv", "a\n1\n"u8.ToArray());
        await DatasetFlow.CommitAsync(unit, id, version);

        var published = await (await unit.PostAsync($"/v1/datasets/{id}/publish", null, Ct)).AssertJson();
        Assert.Equal("published", published.GetProperty("status").GetString());
        Assert.Equal(1, published.GetProperty("latest_version").GetInt32());
        await (await unit.PostAsync($"/v1/datasets/{id}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_state_conflict");
    }

    [Fact]
    public async Task A_published_dataset_keeps_its_access_mode_but_other_fields_change()
    {
        using var unit = await SourceUnit();
        var id = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() });
        await (await unit.PatchAsync($"/v1/datasets/{id}", JsonContent.Create(new { access = "paid" }), Ct)).AssertProblem(HttpStatusCode.Conflict, "access_mode_fixed");
        var patched = await (await unit.PatchAsync($"/v1/datasets/{id}", JsonContent.Create(new { description = "补充说明" }), Ct)).AssertJson();
        Assert.Equal("open", patched.GetProperty("access").GetString());
        Assert.Equal("补充说明", patched.GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_withdrawn_dataset_keeps_its_record_but_is_frozen()
    {
        using var unit = await SourceUnit();
        using var builder = await api.ClientFor(await api.OrganizationAsync("模型方", "model_builder"));
        var id = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() });

        var withdrawn = await (await unit.PostAsync($"/v1/datasets/{id}/withdraw", null, Ct)).AssertJson();

        Assert.Equal("withdrawn", withdrawn.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, withdrawn.GetProperty("withdrawn_at").ValueKind);
        Assert.Equal("withdrawn", (await (await builder.GetAsync($"/v1/datasets/{id}", Ct)).AssertJson()).GetProperty("status").GetString());
        await (await unit.PatchAsync($"/v1/datasets/{id}", JsonContent.Create(new { title = "改名" }), Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_withdrawn");
        await (await unit.PostAsync($"/v1/datasets/{id}/withdraw", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_state_conflict");
        await (await unit.PostAsJsonAsync($"/v1/datasets/{id}/versions", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "dataset_withdrawn");
        await (await builder.GetAsync(DatasetFlow.FileUrl(id, 1, "a.csv"), Ct)).AssertProblem(HttpStatusCode.Gone, "dataset_withdrawn");
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_are_404()
    {
        using var unit = await SourceUnit();
        await (await unit.GetAsync($"/v1/datasets/{Guid.NewGuid()}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        await (await unit.GetAsync("/v1/datasets/%E7%81%AF%E9%A5%B0", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        await (await unit.PatchAsync($"/v1/datasets/{Guid.NewGuid()}", JsonContent.Create(new JsonObject()), Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
    }
}
