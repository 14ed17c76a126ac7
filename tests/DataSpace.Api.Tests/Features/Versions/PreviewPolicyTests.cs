using DataSpace.Api.Tests.Features.Profiles;

namespace DataSpace.Api.Tests.Features.Versions;

/// <summary>
/// What each kind of reader sees of a paid dataset's manifest: everything for the owner, an entitled buyer and an
/// authority under consent; schema and counts for everyone else, widened only by the owner's preview policy.
/// </summary>
public sealed class PreviewPolicyTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Salaries = "姓名,月薪,入职日期\n张三,18000,2021-03-01\n李四,32000,2019-07-15\n"u8.ToArray();

    private sealed record Parties(Credentials OwnerOrg, HttpClient Owner, string Paid);

    private async Task<Parties> PaidAsync()
    {
        var ownerOrg = await api.OrganizationAsync("预览策略数源单位", "source_unit");
        var owner = await api.ClientFor(ownerOrg);
        var paid = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["工资.csv"] = Salaries }, "paid");
        await ProfileFlow.SettledAsync(owner, paid);
        return new Parties(ownerOrg, owner, paid);
    }

    private static async Task<JsonElement> ManifestAsync(HttpClient reader, string dataset) =>
        await (await reader.GetAsync($"/v1/datasets/{dataset}/versions/1", Ct)).AssertJson();

    private static JsonElement File(JsonElement manifest) => manifest.GetProperty("files")[0];

    /// <summary>The full manifest: hashes and value statistics included.</summary>
    private static void AssertFull(JsonElement manifest)
    {
        Assert.Equal("full", manifest.GetProperty("view").GetString());
        var file = File(manifest);
        Assert.Equal(DatasetFlow.Sha256Hex(Salaries), file.GetProperty("sha256").GetString());
        var salary = file.GetProperty("profile").Column("月薪");
        Assert.Equal(("18000", "32000"), (salary.Str("min"), salary.Str("max")));
        Assert.Equal(2L, file.GetProperty("profile").Column("姓名").GetProperty("max_length").GetInt64());
    }

    /// <summary>The default preview: paths, sizes, schema and counts; no values, no hashes.</summary>
    private static void AssertDefaultPreview(JsonElement manifest)
    {
        Assert.Equal("preview", manifest.GetProperty("view").GetString());
        var file = File(manifest);
        Assert.Equal("工资.csv", file.GetProperty("path").GetString());
        Assert.Equal(Salaries.Length, file.GetProperty("size").GetInt64());
        Assert.Equal(JsonValueKind.Null, file.GetProperty("sha256").ValueKind);
        var profile = file.GetProperty("profile");
        Assert.Equal(2, profile.GetProperty("row_count").GetInt64());
        Assert.Equal(["姓名", "月薪", "入职日期"], profile.GetProperty("columns").EnumerateArray().Select(c => c.Str("name")));
        Assert.Equal(["string", "integer", "date"], profile.GetProperty("columns").EnumerateArray().Select(c => c.Str("type")));
        foreach (var column in profile.GetProperty("columns").EnumerateArray())
        {
            Assert.Null(column.Str("min"));
            Assert.Null(column.Str("max"));
            Assert.Equal(JsonValueKind.Null, column.GetProperty("min_length").ValueKind);
            Assert.Equal(JsonValueKind.Null, column.GetProperty("max_length").ValueKind);
        }

        Assert.Equal(JsonValueKind.Null, profile.GetProperty("parquet_rendition").GetProperty("sha256").ValueKind);
        Assert.DoesNotContain("32000", manifest.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(DatasetFlow.Sha256Hex(Salaries), manifest.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owner_sees_everything_and_a_builder_without_entitlement_sees_the_default_preview()
    {
        var (_, owner, paid) = await PaidAsync();
        using var builder = await api.ClientFor(await api.OrganizationAsync("预览模型方", "model_builder"));

        AssertFull(await ManifestAsync(owner, paid));
        AssertDefaultPreview(await ManifestAsync(builder, paid));
        AssertDefaultPreview(await (await builder.GetAsync($"/v1/datasets/{paid}/versions/latest", Ct)).AssertJson());
        var policy = await (await builder.GetAsync($"/v1/datasets/{paid}/preview-policy", Ct)).AssertJson();
        Assert.False(policy.GetProperty("statistics").GetBoolean());
        Assert.False(policy.GetProperty("hashes").GetBoolean());
    }

    [Fact]
    public async Task An_entitled_buyer_sees_everything()
    {
        var (_, owner, paid) = await PaidAsync();
        var buyerOrg = await api.OrganizationAsync("已购模型方", "model_builder");
        using var buyer = await api.ClientFor(buyerOrg);
        using var op = await api.OperatorClient();
        var (terms, plan) = await OrderFlow.OfferAsync(owner, paid, 10_000);
        await OrderFlow.AcceptAsync(buyer, paid, terms);
        AssertDefaultPreview(await ManifestAsync(buyer, paid));
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 10_000, reference = "PV-" + order }, Ct)).AssertJson();

        AssertFull(await ManifestAsync(buyer, paid));
    }

    [Fact]
    public async Task An_authority_sees_everything_only_under_consent_and_every_read_is_audited_with_its_basis()
    {
        var (_, owner, paid) = await PaidAsync();
        var authorityOrg = await api.OrganizationAsync("预览主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);

        AssertDefaultPreview(await ManifestAsync(authority, paid));
        var consent = await ConsentFlow.GrantAsync(owner, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], [paid]));
        AssertFull(await ManifestAsync(authority, paid));
        using (var catalogOnly = await api.ClientFor(authorityOrg, "catalog"))
        {
            // The consent counts only for a token that may use it (scope consents), as on every consent-based read.
            AssertDefaultPreview(await ManifestAsync(catalogOnly, paid));
        }

        var reads = (await (await owner.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == "manifest").ToList();
        Assert.Equal(3, reads.Count);
        Assert.All(reads, e => Assert.Equal(authorityOrg.OrganizationId, e.GetProperty("actor").GetProperty("organization_id").GetString()));
        Assert.All(reads, e => Assert.Equal($"{paid}/1", e.GetProperty("object_id").GetString()));
        Assert.Equal(["consent", "preview", "preview"], reads.Select(e => e.GetProperty("basis").GetProperty("type").GetString()).Order());
        Assert.Equal(consent, reads.Single(e => e.GetProperty("basis").GetProperty("type").GetString() == "consent").GetProperty("basis").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_owner_widens_the_preview_and_only_the_owner_may()
    {
        var (_, owner, paid) = await PaidAsync();
        using var builder = await api.ClientFor(await api.OrganizationAsync("预览放宽模型方", "model_builder"));
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("别家数源单位", "source_unit"));

        await (await owner.PutAsJsonAsync($"/v1/datasets/{paid}/preview-policy", new { statistics = true }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await otherUnit.PutAsJsonAsync($"/v1/datasets/{paid}/preview-policy", new { statistics = true, hashes = true }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "not_dataset_owner");
        await (await builder.PutAsJsonAsync($"/v1/datasets/{paid}/preview-policy", new { statistics = true, hashes = true }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        AssertDefaultPreview(await ManifestAsync(builder, paid));

        var set = await (await owner.PutAsJsonAsync($"/v1/datasets/{paid}/preview-policy", new { statistics = true, hashes = false }, Ct)).AssertJson();
        Assert.True(set.GetProperty("statistics").GetBoolean());
        var widened = await ManifestAsync(builder, paid);
        Assert.Equal("preview", widened.GetProperty("view").GetString());
        Assert.Equal("32000", File(widened).GetProperty("profile").Column("月薪").Str("max"));
        Assert.Equal(JsonValueKind.Null, File(widened).GetProperty("sha256").ValueKind);

        await (await owner.PutAsJsonAsync($"/v1/datasets/{paid}/preview-policy", new { statistics = true, hashes = true }, Ct)).AssertJson();
        Assert.Equal(DatasetFlow.Sha256Hex(Salaries), File(await ManifestAsync(builder, paid)).GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Open_datasets_show_everything_to_everyone()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("开放预览数源单位", "source_unit"));
        using var builder = await api.ClientFor(await api.OrganizationAsync("开放预览模型方", "model_builder"));
        var open = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["工资.csv"] = Salaries });
        await ProfileFlow.SettledAsync(owner, open);

        AssertFull(await ManifestAsync(builder, open));
    }
}
