namespace DataSpace.Api.Tests.Features.Records;

/// <summary>Record evidence and report names follow the one file-name rule dataset file paths follow.</summary>
public sealed class RecordFileNameTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("证书\u202Efdp.exe")]
    [InlineData("\u2066证书.pdf")]
    [InlineData("\uFEFF证书.pdf")]
    [InlineData("证书\u200F.pdf")]
    public async Task Evidence_names_follow_the_file_name_rule_of_dataset_files(string name)
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("双向字符数源单位", "source_unit"));
        var id = await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(3));
        var dataset = await DatasetFlow.CreateAsync(unit);
        var version = await DatasetFlow.OpenVersionAsync(unit, dataset);

        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{id}/evidence", name, "%PDF"u8.ToArray())).AssertProblem(HttpStatusCode.BadRequest, "invalid_file_name");
        await (await DatasetFlow.UploadAsync(unit, dataset, version, name, "x"u8.ToArray())).AssertProblem(HttpStatusCode.BadRequest, "invalid_file_path");
        var record = await (await unit.GetAsync($"/v1/dcmm-certificates/{id}", Ct)).AssertJson();
        Assert.True(!record.TryGetProperty("evidence", out var evidence) || evidence.ValueKind == JsonValueKind.Null);
    }
}
