namespace DataSpace.Api.Tests.Features.Records;

/// <summary>
/// What a unit sees of the bureau's reads of its records (lists, the review queue, exports). In a fixture of its own:
/// it submits records to the platform-wide review queue.
/// </summary>
public sealed class RecordAuditTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<JsonElement>> TrailAsync(HttpClient unit, string objectType) =>
        [.. (await (await unit.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == objectType)];

    [Fact]
    public async Task Bureau_lists_and_review_queue_reads_are_in_the_units_trail()
    {
        var unitOrg = await api.OrganizationAsync("被列出的数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var bureauOrg = await api.OrganizationAsync("列表审计数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var id = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(3));
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "证书.pdf", "%PDF-1.7"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        Assert.DoesNotContain(await TrailAsync(unit, "dcmm_certificate"), e => e.GetProperty("action").GetString() == "listed");

        await (await bureau.GetAsync($"/v1/dcmm-certificates?unit={unitOrg.OrganizationId}", Ct)).AssertJson();
        await (await bureau.GetAsync("/v1/review/dcmm-certificates", Ct)).AssertJson();

        var listed = (await TrailAsync(unit, "dcmm_certificate")).Where(e => e.GetProperty("action").GetString() == "listed").ToList();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, e => Assert.Equal(bureauOrg.OrganizationId, e.GetProperty("actor").GetProperty("organization_id").GetString()));
        Assert.All(listed, e => Assert.Equal("submission", e.GetProperty("basis").GetProperty("type").GetString()));
        Assert.All(listed, e => Assert.Contains($"{id}/1", e.GetProperty("details").GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_export_is_in_the_trail_of_every_unit_whose_records_it_holds()
    {
        var unitOrg = await api.OrganizationAsync("被导出的数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var bystander = await api.ClientFor(await api.OrganizationAsync("未被导出的数源单位", "source_unit"));
        var bureauOrg = await api.OrganizationAsync("导出审计数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        await RecordFlow.VerifiedAsync(unit, bureau, "data-space-pilots", RecordFlow.Pilot("city", 10_000_000));

        Assert.Equal(HttpStatusCode.OK, (await bureau.GetAsync("/v1/exports/pilot-subsidies?format=csv", Ct)).StatusCode);

        var exported = Assert.Single(await TrailAsync(unit, "export"));
        Assert.Equal("exported", exported.GetProperty("action").GetString());
        Assert.Equal(bureauOrg.OrganizationId, exported.GetProperty("actor").GetProperty("organization_id").GetString());
        Assert.Equal(1, exported.GetProperty("details").GetProperty("lines").GetInt32());
        Assert.Empty(await TrailAsync(bystander, "export"));
    }
}
