namespace DataSpace.Api.Tests.Features.Records;

/// <summary>
/// The bureau sees exactly the revisions that were submitted to it. In a fixture of its own: it submits records, and
/// other tests count the (platform-wide) review queue.
/// </summary>
public sealed class RecordSubmissionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_bureau_sees_a_returned_revision_as_submitted_until_the_unit_resubmits()
    {
        var unitOrg = await api.OrganizationAsync("退回后修改的数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var bureau = await api.ClientFor(await api.OrganizationAsync("审核局（未提交修改）", "data_bureau"));
        var id = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(3));
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "原件.pdf", "%PDF-1.7 original"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsJsonAsync($"/v1/review/dcmm-certificates/{id}/return", new { reason = "请补充材料" }, Ct)).AssertJson();

        // The unit works on the returned revision: a new level and a new evidence file, not submitted yet.
        await (await unit.PatchAsJsonAsync($"/v1/dcmm-certificates/{id}", new { level = 4 }, Ct)).AssertJson();
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", "修改中.pdf", "%PDF-1.7 work in progress"u8.ToArray())).AssertJson();
        Assert.Equal(4, (await (await unit.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson()).GetProperty("level").GetInt32());

        var seen = await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson();
        Assert.Equal("returned", seen.GetProperty("status").GetString());
        Assert.Equal(3, seen.GetProperty("level").GetInt32());
        Assert.Equal("原件.pdf", seen.GetProperty("evidence").GetProperty("file_name").GetString());
        var listed = (await (await bureau.GetAsync($"/v1/dcmm-certificates?unit={unitOrg.OrganizationId}", Ct)).AssertJson()).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(3, listed.GetProperty("level").GetInt32());
        Assert.Equal(seen.GetProperty("updated_at").GetString(), listed.GetProperty("updated_at").GetString());
        Assert.Equal("%PDF-1.7 original", await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}/evidence", Ct)).Content.ReadAsStringAsync(Ct));

        await (await unit.PostAsync($"/v1/dcmm-certificates/{id}/submit", null, Ct)).AssertJson();
        var resubmitted = await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson();
        Assert.Equal(4, resubmitted.GetProperty("level").GetInt32());
        Assert.Equal("修改中.pdf", resubmitted.GetProperty("evidence").GetProperty("file_name").GetString());
        Assert.Equal("%PDF-1.7 work in progress", await (await bureau.GetAsync($"/v1/dcmm-certificates/{id}/evidence", Ct)).Content.ReadAsStringAsync(Ct));
    }
}
