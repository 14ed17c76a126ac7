using System.Text;
using DataSpace.Api.Tests.Features.Rewards;

namespace DataSpace.Api.Tests.Features.Records;

/// <summary>The bureau's payment lists through HTTP: amounts from verified records, CSV/XLSX/JSON, audited.</summary>
public sealed class RecordExportTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEnumerable<JsonElement> LinesOf(JsonElement export, Credentials unit) =>
        export.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("unit_id").GetString() == unit.OrganizationId);

    [Fact]
    public async Task DCMM_rewards_pay_each_level_once_and_upgrades_the_difference()
    {
        var unitOrg = await api.OrganizationAsync("中山市升级数据科技有限公司", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var bureau = await api.ClientFor(await api.OrganizationAsync("数据局（DCMM）", "data_bureau"));

        // No amounts are invented: without a policy there is nothing to export.
        await (await bureau.GetAsync("/v1/exports/dcmm-rewards", Ct)).AssertProblem(HttpStatusCode.NotFound, "policy_required");
        await (await bureau.PostAsJsonAsync("/v1/dcmm-reward-policies", new { level3_fen = 5_000_000, level4_fen = 4_000_000, level5_fen = 10_000_000 }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.PostAsJsonAsync("/v1/dcmm-reward-policies", new { level3_fen = 5_000_000 }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.PostAsJsonAsync("/v1/dcmm-reward-policies", new { level3_fen = 1, level4_fen = 2, level5_fen = 3 }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        var policy = (await (await bureau.PostAsJsonAsync("/v1/dcmm-reward-policies", new { level3_fen = 5_000_000, level4_fen = 8_000_000, level5_fen = 10_000_000 }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();

        foreach (var (level, number) in new[] { (3, "A-3"), (2, "A-2"), (4, "A-4"), (4, "A-4-renewed"), (5, "A-5"), (3, "A-3-again") })
        {
            await RecordFlow.VerifiedAsync(unit, bureau, "dcmm-certificates", RecordFlow.Dcmm(level, number));
        }

        // A draft and a submitted-but-unverified level 5 earn nothing.
        await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(5, "draft"));

        var export = await (await bureau.GetAsync("/v1/exports/dcmm-rewards?format=json", Ct)).AssertJson();
        Assert.Equal(policy, export.GetProperty("policy_id").GetString());
        var lines = LinesOf(export, unitOrg).ToList();
        Assert.Equal(["A-3", "A-2", "A-4", "A-4-renewed", "A-5", "A-3-again"], lines.Select(l => l.GetProperty("certificate_number").GetString()));
        Assert.Equal([5_000_000L, 0, 3_000_000, 0, 2_000_000, 0], lines.Select(l => l.GetProperty("reward_fen").GetInt64()));
        Assert.Equal(10_000_000, lines.Sum(l => l.GetProperty("reward_fen").GetInt64()));
        Assert.Equal(export.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("reward_fen").GetInt64()), export.GetProperty("total_fen").GetInt64());

        // The period selects lines by verification day; the earlier history still counts.
        var tomorrow = DateTimeOffset.UtcNow.AddHours(8).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await (await bureau.GetAsync($"/v1/exports/dcmm-rewards?from={tomorrow}", Ct)).AssertJson()).GetProperty("lines").GetArrayLength());
        await (await bureau.GetAsync("/v1/exports/dcmm-rewards?from=2026-13-01", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.GetAsync("/v1/exports/dcmm-rewards?from=2026-02-01&to=2026-01-01", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.GetAsync("/v1/exports/dcmm-rewards?format=pdf", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.GetAsync($"/v1/exports/dcmm-rewards?policy_id={Guid.NewGuid()}", Ct)).AssertProblem(HttpStatusCode.NotFound, "policy_required");
        await (await unit.GetAsync("/v1/exports/dcmm-rewards", Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");

        // CSV for Excel/WPS: BOM, CRLF, yuan with two decimals.
        var csv = await bureau.GetAsync("/v1/exports/dcmm-rewards?format=csv", Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.Contains("中山市升级数据科技有限公司", text, StringComparison.Ordinal);
        Assert.Contains("50000.00", text, StringComparison.Ordinal);
        Assert.Contains("升级补差", text, StringComparison.Ordinal);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);

        // Every export is in the bureau's audit trail.
        var trail = await (await bureau.GetAsync("/v1/audit?limit=100", Ct)).AssertJson();
        Assert.True(trail.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("object_type").GetString() == "export" && e.GetProperty("action").GetString() == "exported") >= 3);
    }

    [Fact]
    public async Task Pilot_subsidies_and_fee_subsidies_follow_their_rates_and_caps_and_open_in_openpyxl()
    {
        var unitOrg = await api.OrganizationAsync("中山市试点数据科技有限公司", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var bureau = await api.ClientFor(await api.OrganizationAsync("数据局（补助）", "data_bureau"));

        await RecordFlow.VerifiedAsync(unit, bureau, "data-space-pilots", RecordFlow.Pilot("national", 2_000_000_000, "国家级试点"));   // 10 % = 2,000,000 → cap 1,000,000 CNY
        await RecordFlow.VerifiedAsync(unit, bureau, "data-space-pilots", RecordFlow.Pilot("provincial", 123_456_789, "省级试点"));   // 5 % = 6,172,839.45 fen → 6,172,839
        await RecordFlow.VerifiedAsync(unit, bureau, "data-space-pilots", RecordFlow.Pilot("provincial", 100_000_000, "省级试点二期")); // one per level: 0
        var pilots = LinesOf(await (await bureau.GetAsync("/v1/exports/pilot-subsidies", Ct)).AssertJson(), unitOrg).ToList();
        Assert.Equal([100_000_000L, 6_172_839, 0], pilots.Select(l => l.GetProperty("subsidy_fen").GetInt64()));
        Assert.Equal(["capped", "subsidised", "already_subsidised_at_level"], pilots.Select(l => l.GetProperty("reason_code").GetString()));

        // Fee subsidies need the bureau's policy; then 50 % of the fee, at most 30,000 CNY per valuation.
        await (await bureau.GetAsync("/v1/exports/asset-fee-subsidies", Ct)).AssertProblem(HttpStatusCode.NotFound, "policy_required");
        await (await bureau.PostAsJsonAsync("/v1/asset-fee-subsidy-policies", new { rate_basis_points = 10001, cap_fen = 1 }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.PostAsJsonAsync("/v1/asset-fee-subsidy-policies", new { rate_basis_points = 5000, cap_fen = 3_000_000 }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(5000, (await (await bureau.GetAsync("/v1/asset-fee-subsidy-policies/current", Ct)).AssertJson()).GetProperty("rate_basis_points").GetInt32());
        var asset = await RecordFlow.CreateAsync(unit, "data-assets", RecordFlow.Asset());
        foreach (var fee in new[] { 8_000_000L, 1_000_001L })
        {
            var added = await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", new
            {
                assessor_firm = "广东中联羊城资产评估有限公司", appraisers = new[] { "张三" }, methods = new[] { "cost" }, base_date = "2026-06-30",
                value_fen = 40_000_000, report_number = $"评字第{fee}号", assessment_fee_fen = fee,
            }, Ct)).AssertJson(HttpStatusCode.Created);
            var valuation = added.GetProperty("valuations").EnumerateArray().Last().GetProperty("id").GetString();
            await (await RecordFlow.UploadAsync(unit, $"/v1/data-assets/{asset}/valuations/{valuation}/report", $"评估报告{fee}.pdf", Encoding.UTF8.GetBytes($"report {fee}"))).AssertJson();
        }

        await (await unit.PostAsync($"/v1/data-assets/{asset}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsync($"/v1/review/data-assets/{asset}/verify", null, Ct)).AssertJson();
        var fees = LinesOf(await (await bureau.GetAsync("/v1/exports/asset-fee-subsidies", Ct)).AssertJson(), unitOrg).ToList();
        Assert.Equal([3_000_000L, 500_000], fees.Select(l => l.GetProperty("subsidy_fen").GetInt64()));

        // A new revision of the verified asset repeats its valuations without paying them again.
        await (await unit.PostAsync($"/v1/data-assets/{asset}/revisions", null, Ct)).AssertJson(HttpStatusCode.Created);
        await (await unit.PostAsync($"/v1/data-assets/{asset}/submit", null, Ct)).AssertJson();
        await (await bureau.PostAsync($"/v1/review/data-assets/{asset}/verify", null, Ct)).AssertJson();
        fees = LinesOf(await (await bureau.GetAsync("/v1/exports/asset-fee-subsidies", Ct)).AssertJson(), unitOrg).ToList();
        Assert.Equal([3_000_000L, 500_000, 0, 0], fees.Select(l => l.GetProperty("subsidy_fen").GetInt64()));

        // The data-asset list shows the revision in force, once.
        var assets = LinesOf(await (await bureau.GetAsync("/v1/exports/data-assets", Ct)).AssertJson(), unitOrg).ToList();
        var line = Assert.Single(assets);
        Assert.Equal(2, line.GetProperty("revision").GetInt32());
        Assert.Equal(12_345_678, line.GetProperty("cost_fen").GetInt64());

        // XLSX read back by openpyxl: the pilot lines with exact yuan.
        var path = Path.Combine(Path.GetTempPath(), $"pilots-{Guid.NewGuid():N}.xlsx");
        await File.WriteAllBytesAsync(path, await bureau.GetByteArrayAsync("/v1/exports/pilot-subsidies?format=xlsx", Ct), Ct);
        try
        {
            var book = await RewardXlsxTests.ReadWithOpenpyxlAsync(path, Ct);
            Assert.Equal(["可信数据空间试点补助"], book.Sheets);
            var texts = book.Cells.Select(c => c.Value.Text).ToList();
            Assert.Contains("国家级试点", texts);
            Assert.Contains("1000000.00", texts);
            Assert.Contains("61728.39", texts);
            Assert.Contains("合计", texts);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
