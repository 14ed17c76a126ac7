using DataSpace.Api.Features.Rewards;
using DataSpace.Api.Http;
using DataSpace.Contracts.Rewards;

namespace DataSpace.Api.Tests.Features.Rewards;

/// <summary>Pins what a bureau clerk and a machine receive, byte for byte, for a fixed run.</summary>
public sealed class RewardExportSnapshotTests
{
    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };

    private static RewardRunExport Run() => new(
        RunId: "01a1fc00-0000-7000-8000-000000000001",
        PeriodFrom: new DateOnly(2026, 1, 1),
        PeriodTo: new DateOnly(2026, 12, 31),
        Status: "approved",
        ContentSha256: "5f1d0b3c2a9e8d7c6b5a49382716051f4e3d2c1b0a99887766554433221100ff",
        ApprovedAt: new DateTimeOffset(2027, 1, 15, 2, 30, 0, TimeSpan.Zero),
        PolicyId: "01a1fc00-0000-7000-8000-0000000000aa",
        RateBasisPoints: 1000,
        DatasetCapFen: 10_000_000,
        UnitCapFen: 20_000_000,
        CapScope: "per_period",
        Lines:
        [
            new("u1", "中山市古镇灯饰数据科技有限公司", "91442000MA55GY0D1U", "d1", "古镇灯饰出口月度统计, 2023–2025", 120_000_000, true,
                "committed_files 2/1 ok；paying_consumers 3/2 ok", 12_000_000, 10_000_000, 10_000_000, "dataset_cap"),
            new("u1", "中山市古镇灯饰数据科技有限公司", "91442000MA55GY0D1U", "d2", "=HYPERLINK(\"http://example.invalid\")", 333_333, false,
                "paying_consumers 1/2 below_min_paying_consumers", 33_333, 33_333, 0, "not_qualified"),
            new("u2", "小榄 \"智能\" 家电研究院", "91442000MA4WLX8Q2L", "d3", "家电故障日志", 95_000_001, true,
                "ok", 9_500_000, 9_500_000, 9_500_000, "ok"),
        ],
        Units:
        [
            new("u1", "中山市古镇灯饰数据科技有限公司", "91442000MA55GY0D1U", 10_000_000, 10_000_000, false),
            new("u2", "小榄 \"智能\" 家电研究院", "91442000MA4WLX8Q2L", 9_500_000, 9_500_000, false),
        ],
        TotalFen: 19_500_000,
        UnitsInProgramme: 2,
        UnitsNotConsenting: 1);

    [Fact]
    public void The_CSV_export_is_pinned_byte_for_byte() => Snapshot.Verify("reward-run", "csv", RewardCsv.Write(Run()));

    [Fact]
    public void The_CSV_guards_against_formulas_and_quotes_as_RFC_4180()
    {
        var text = System.Text.Encoding.UTF8.GetString(RewardCsv.Write(Run()));
        Assert.Contains("\"'=HYPERLINK(\"\"http://example.invalid\"\")\"", text, StringComparison.Ordinal);
        Assert.Contains("\"小榄 \"\"智能\"\" 家电研究院\"", text, StringComparison.Ordinal);
        Assert.Contains("\"古镇灯饰出口月度统计, 2023–2025\"", text, StringComparison.Ordinal);
        Assert.Contains("950000.01", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_summary_is_pinned()
    {
        var run = new RewardRun
        {
            Id = "01a1fc00-0000-7000-8000-000000000001",
            PolicyId = "01a1fc00-0000-7000-8000-0000000000aa",
            PeriodFrom = new DateOnly(2026, 1, 1),
            PeriodTo = new DateOnly(2026, 12, 31),
            Status = "approved",
            ContentSha256 = "5f1d0b3c2a9e8d7c6b5a49382716051f4e3d2c1b0a99887766554433221100ff",
            ApprovedAt = new DateTimeOffset(2027, 1, 15, 2, 30, 0, TimeSpan.Zero),
            UnitsInProgramme = 1,
            UnitsNotConsenting = 0,
            TotalFen = 10_000_000,
            LineCount = 1,
            LinesUrl = "/v1/reward-runs/01a1fc00-0000-7000-8000-000000000001/lines",
            Exports = new Dictionary<string, string> { ["csv"] = "/v1/reward-runs/01a1fc00-0000-7000-8000-000000000001/export?format=csv" },
            Units = [new("u1", "中山市古镇灯饰数据科技有限公司", 20_000_000, 10_000_000, 10_000_000, false, "91442000MA55GY0D1U")],
        };
        Snapshot.Verify("reward-run", "json", JsonSerializer.SerializeToUtf8Bytes(run, Indented));
    }

    [Fact]
    public void The_canonical_content_its_hash_covers_is_pinned()
    {
        using var content = new RewardRunContent();
        var bytes = new List<byte>();
        bytes.AddRange(content.Add(new RewardRunContent.Header("01a1fc00-0000-7000-8000-000000000001", "01a1fc00-0000-7000-8000-0000000000aa",
            new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), 1, 0, 10_000_000, 1, 1)).ToArray());
        bytes.AddRange(content.Add(new RewardRunLine("u1", "中山市古镇灯饰数据科技有限公司", "d1", "古镇灯饰出口月度统计", 120_000_000,
            [new RewardCriterion("paying_consumers", 3, 2, true, "ok")], true, 12_000_000, 10_000_000, 10_000_000, "dataset_cap")).ToArray());
        bytes.AddRange(content.Add(new RewardRunUnit("u1", "中山市古镇灯饰数据科技有限公司", 20_000_000, 10_000_000, 10_000_000, false, "91442000MA55GY0D1U")).ToArray());
        Snapshot.Verify("reward-run-content", "jsonl", [.. bytes]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.ToArray())), content.Sha256());
    }
}
