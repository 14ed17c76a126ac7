using System.Globalization;
using DataSpace.Api.Features.Exports;
using DataSpace.Api.Http;
using DataSpace.Api.Tests.Features.Rewards;
using DataSpace.Contracts.Records;

namespace DataSpace.Api.Tests.Features.Records;

/// <summary>Pins what a bureau clerk and a machine receive for fixed lines: CSV byte for byte, XLSX cell by cell, JSON.</summary>
public sealed class RecordExportSnapshotTests
{
    private const string UnitA = "中山市古镇灯饰数据科技有限公司";
    private const string CodeA = "91442000MA55GY0D1U";
    private const string UnitB = "小榄 \"智能\" 家电研究院";
    private const string CodeB = "91442000MA4WLX8Q2L";
    private static readonly DateTimeOffset Generated = new(2027, 1, 15, 2, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Verified = new(2026, 5, 20, 7, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    private static RecordExport<T> Export<T>(string kind, IReadOnlyList<T> lines, long total, string? policy = "01a1fc00-0000-7000-8000-0000000000bb") => new()
    {
        Kind = kind, Title = kind, PeriodFrom = new DateOnly(2026, 1, 1), PeriodTo = new DateOnly(2026, 12, 31), PolicyId = policy,
        GeneratedAt = Generated, Lines = lines, TotalFen = total,
    };

    private static RecordExport<DcmmRewardLine> Dcmm() => Export("dcmm_rewards", [
        new DcmmRewardLine("u1", UnitA, CodeA, "r1", 1, "GB/T 36073-2018", 3, "DCMM-2026-0001", "中国电子信息行业联合会", new DateOnly(2029, 3, 1), Verified, 0, 5_000_000, 0, 5_000_000, "rewarded"),
        new DcmmRewardLine("u1", UnitA, CodeA, "r2", 1, "GB/T 36073-2025", 4, "=HYPERLINK(\"x\")", "中国电子技术标准化研究院", new DateOnly(2030, 1, 1), Verified.AddDays(30), 3, 8_000_000, 5_000_000, 3_000_000, "upgrade_difference"),
        new DcmmRewardLine("u2", UnitB, CodeB, "r3", 2, "GB/T 36073-2018", 2, "DCMM-2026-0099", "某认证机构, 广州", new DateOnly(2027, 6, 30), Verified.AddDays(40), 0, 0, 0, 0, "below_level_3"),
    ], 8_000_000);

    private static RecordExport<PilotSubsidyLine> Pilots() => Export("pilot_subsidies", [
        new PilotSubsidyLine("u1", UnitA, CodeA, "p1", 1, "national", "古镇灯饰产业可信数据空间", "发改数据〔2026〕7号", 2_000_000_000, 1000, 100_000_000, 200_000_000, 100_000_000, Verified, "capped"),
        new PilotSubsidyLine("u2", UnitB, CodeB, "p2", 1, "city", "家电售后数据空间", "中数据〔2026〕3号", 123_456_789, 300, 30_000_000, 3_703_703, 3_703_703, Verified, "subsidised"),
    ], 103_703_703, policy: null);

    private static RecordExport<AssetFeeSubsidyLine> Fees() => Export("asset_fee_subsidies", [
        new AssetFeeSubsidyLine("u1", UnitA, CodeA, "a1", 1, "灯饰出口统计数据资产", "v1", "广东中联羊城资产评估有限公司", "中联羊城评字〔2026〕第0101号", new DateOnly(2026, 6, 30), 50_000_000, 8_000_000, 4_000_000, 3_000_000, Verified, "capped"),
    ], 3_000_000);

    private static RecordExport<DataAssetExportLine> Assets() => Export("data_assets", [
        new DataAssetExportLine("u1", UnitA, CodeA, "a1", 2, "灯饰出口统计数据资产", "intangible_asset", "self_developed", 12_345_678, new DateOnly(2026, 6, 30), 60, 2,
            50_000_000, new DateOnly(2026, 6, 30), "广州数据交易所 GZDE-2026-0001（首次）", Verified, new string('a', 64)),
        new DataAssetExportLine("u2", UnitB, CodeB, "a2", 1, "家电故障日志", "inventory", "purchased", 99, new DateOnly(2026, 1, 2), null, 0, null, null, "", Verified, new string('b', 64)),
    ], 12_345_777, policy: null);

    [Fact]
    public void DCMM_rewards_CSV_is_pinned() => Snapshot.Verify("dcmm-rewards", "csv", SheetCsv.Write(RecordExports.DcmmRewards(Dcmm())));

    [Fact]
    public void Pilot_subsidies_CSV_is_pinned() => Snapshot.Verify("pilot-subsidies", "csv", SheetCsv.Write(RecordExports.PilotSubsidies(Pilots())));

    [Fact]
    public void Asset_fee_subsidies_CSV_is_pinned() => Snapshot.Verify("asset-fee-subsidies", "csv", SheetCsv.Write(RecordExports.AssetFeeSubsidies(Fees())));

    [Fact]
    public void Data_assets_CSV_is_pinned() => Snapshot.Verify("data-assets", "csv", SheetCsv.Write(RecordExports.DataAssets(Assets())));

    [Fact]
    public void DCMM_rewards_JSON_is_pinned() => Snapshot.Verify("dcmm-rewards", "json", JsonSerializer.SerializeToUtf8Bytes(Dcmm(), Indented));

    [Fact]
    public async Task DCMM_rewards_and_data_assets_XLSX_are_pinned_cell_by_cell_as_openpyxl_reads_them()
    {
        foreach (var (name, sheet) in new[] { ("dcmm-rewards", RecordExports.DcmmRewards(Dcmm())), ("data-assets", RecordExports.DataAssets(Assets())) })
        {
            var path = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.xlsx");
            try
            {
                await using (var file = File.Create(path))
                {
                    SheetXlsx.Write(sheet, file);
                }

                var workbook = await RewardXlsxTests.ReadWithOpenpyxlAsync(path, TestContext.Current.CancellationToken);
                var cells = workbook.Cells.OrderBy(c => int.Parse(new string([.. c.Key.SkipWhile(char.IsLetter)]), CultureInfo.InvariantCulture)).ThenBy(c => c.Key.Length).ThenBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => $"{c.Key}\t{c.Value.Type}\t{c.Value.Format}\t{c.Value.Text}");
                Snapshot.Verify($"{name}-xlsx-cells", "txt", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', [$"sheets\t{string.Join(",", workbook.Sheets)}", .. cells]) + "\n"));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void CSV_guards_formulas_and_quotes()
    {
        var text = System.Text.Encoding.UTF8.GetString(SheetCsv.Write(RecordExports.DcmmRewards(Dcmm())));
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", text, StringComparison.Ordinal);
        Assert.Contains("\"小榄 \"\"智能\"\" 家电研究院\"", text, StringComparison.Ordinal);
        Assert.Contains("\"某认证机构, 广州\"", text, StringComparison.Ordinal);
    }
}
