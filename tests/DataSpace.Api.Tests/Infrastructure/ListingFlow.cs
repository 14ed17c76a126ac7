namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>The listing review's steps through the API, for tests of other features that need an assessed or listed dataset.</summary>
public static class ListingFlow
{
    /// <summary>
    /// Compliance and quality reports on version 1 of <paramref name="dataset"/> (a draft or published dataset of
    /// <paramref name="unit"/>'s with a committed version), by an assessor registered for the purpose; their ids.
    /// </summary>
    public static async Task<(string Compliance, string Quality)> AssessedAsync(DataSpaceApiFactory api, HttpClient unit, string dataset)
    {
        var assessorOrg = await api.OrganizationAsync("测试评估机构", "assessor");
        using var assessor = await api.ClientFor(assessorOrg);
        using (var op = await api.OperatorClient())
        {
            await (await op.PostAsJsonAsync("/v1/assessors", new { organization_id = assessorOrg.OrganizationId, kinds = new[] { "compliance", "quality" } })).AssertJson();
        }

        var manifest = (await (await unit.GetAsync($"/v1/datasets/{dataset}/versions/1")).AssertJson()).GetProperty("manifest_sha256").GetString();
        var validUntil = DateOnly.FromDateTime(api.Clock.GetUtcNow().UtcDateTime).AddDays(180).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var reports = new Dictionary<string, string>();
        foreach (var kind in new[] { "compliance", "quality" })
        {
            await (await unit.PostAsJsonAsync($"/v1/datasets/{dataset}/assessment-invitations", new { version = 1, assessor_id = assessorOrg.OrganizationId, kind }))
                .AssertJson(HttpStatusCode.Created);
            reports[kind] = (await (await assessor.PostAsJsonAsync($"/v1/datasets/{dataset}/versions/1/assessment-reports?kind={kind}", new
            {
                manifest_sha256 = manifest, grade = "A", conclusion = "数据来源合法，可流通交易。", report_number = "TEST-" + Guid.NewGuid().ToString("N")[..6],
                document_sha256 = DatasetFlow.Sha256Hex(Guid.NewGuid().ToByteArray()), valid_until = validUntil,
            })).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        return (reports["compliance"], reports["quality"]);
    }

    /// <summary>A listing application for version 1 naming the two reports.</summary>
    public static object Application((string Compliance, string Quality) reports) => new
    {
        version = 1, product_description = "灯饰出口月度数据产品说明书。", scenarios = new[] { "出口趋势预测" },
        compliance_report_id = reports.Compliance, quality_report_id = reports.Quality,
    };
}
