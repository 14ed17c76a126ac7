using System.Globalization;
using DataSpace.Api.Http;
using DataSpace.Contracts.Records;

namespace DataSpace.Api.Features.Exports;

/// <summary>
/// The bureau's four record lists as sheets: one builder per list, pure (lines in, sheet out), so what a clerk opens
/// in Excel is pinned by snapshot tests from fixed lines.
/// </summary>
internal static class RecordExports
{
    public static readonly string[] DcmmLevelNames = ["", "1级 初始级", "2级 受管理级", "3级 稳健级", "4级 量化管理级", "5级 优化级"];

    public static string PilotLevel(string level) => level switch
    {
        "national" => "国家级",
        "provincial" => "省级",
        "city" => "市级",
        _ => level,
    };

    public static string AccountingCategory(string category) => category switch
    {
        "intangible_asset" => "无形资产",
        "inventory" => "存货",
        "development_expenditure" => "开发支出",
        "not_recognised" => "未确认",
        _ => category,
    };

    public static string Acquisition(string acquisition) => acquisition switch
    {
        "purchased" => "外购",
        "self_developed" => "自行开发",
        "other" => "其他方式",
        _ => acquisition,
    };

    public static string RegistrationType(string type) => type switch
    {
        "initial" => "首次",
        "change" => "变更",
        "cancellation" => "注销",
        _ => type,
    };

    public static string Reason(string code) => code switch
    {
        "rewarded" => "首次达标奖励",
        "upgrade_difference" => "升级补差",
        "below_level_3" => "未达3级",
        "level_already_rewarded" => "该等级已奖励",
        "subsidised" => "按比例补助",
        "capped" => "按上限补助",
        "already_subsidised_at_level" => "同级别已补助",
        "already_subsidised" => "已补助",
        "no_valid_listing_certificate" => "无有效挂牌凭证",
        _ => code,
    };

    private static List<(string, SheetCell)> About<T>(RecordExport<T> export)
    {
        var about = new List<(string, SheetCell)>
        {
            ("核验期间", export.PeriodFrom is null && export.PeriodTo is null ? "全部" :
                $"{(export.PeriodFrom is { } f ? XlsxWorkbook.Date(f) : "…")} 至 {(export.PeriodTo is { } t ? XlsxWorkbook.Date(t) : "…")}"),
        };
        if (export.PolicyId is { } policy)
        {
            about.Add(("政策", policy));
        }

        about.Add(("生成时间", XlsxWorkbook.ChinaTimestamp(export.GeneratedAt)));
        about.Add(("条目数", SheetCell.Number(export.Lines.Count)));
        return about;
    }

    private static string Percent(int basisPoints) => string.Create(CultureInfo.InvariantCulture, $"{basisPoints / 100}.{basisPoints % 100:00}%");

    private static SheetColumn[] Columns(params (string Header, double Width)[] columns) => [.. columns.Select(c => new SheetColumn(c.Header, c.Width))];

    private static SheetCell[] TotalRow(int columns, int moneyColumn, long totalFen)
    {
        var row = Enumerable.Repeat(SheetCell.Of(null), columns).ToArray();
        row[0] = "合计";
        row[moneyColumn] = SheetCell.Money(totalFen);
        return row;
    }

    public static ExportSheet DcmmRewards(RecordExport<DcmmRewardLine> export)
    {
        var columns = Columns(("单位名称", 32), ("统一社会信用代码", 22), ("证书编号", 24), ("标准", 18), ("等级", 16), ("认证机构", 28), ("有效期至", 12),
            ("核验时间", 20), ("此前已奖励等级", 14), ("该等级奖励（元）", 18), ("此前已奖励（元）", 18), ("本次奖励（元）", 16), ("说明", 16));
        return new ExportSheet("DCMM奖励清单", "中山市人工智能赋能平台 DCMM贯标奖励清单", About(export), columns,
            [.. export.Lines.Select(l => new SheetCell[]
            {
                l.UnitName, l.UnitCreditCode, l.CertificateNumber, l.Standard, DcmmLevelNames[l.Level], l.CertifyingBody, XlsxWorkbook.Date(l.ValidUntil),
                XlsxWorkbook.ChinaTimestamp(l.VerifiedAt), l.PreviouslyRewardedLevel == 0 ? "无" : DcmmLevelNames[l.PreviouslyRewardedLevel],
                SheetCell.Money(l.LevelAmountFen), SheetCell.Money(l.PreviouslyPaidFen), SheetCell.Money(l.RewardFen), Reason(l.ReasonCode),
            })],
            TotalRow(columns.Length, 11, export.TotalFen));
    }

    public static ExportSheet PilotSubsidies(RecordExport<PilotSubsidyLine> export)
    {
        var columns = Columns(("单位名称", 32), ("统一社会信用代码", 22), ("项目名称", 34), ("批准文号", 24), ("试点级别", 10), ("建设投入（元）", 18),
            ("补助比例", 10), ("补助上限（元）", 16), ("按比例计算（元）", 18), ("补助（元）", 16), ("核验时间", 20), ("说明", 16));
        return new ExportSheet("可信数据空间试点补助", "中山市人工智能赋能平台 可信数据空间试点补助清单", About(export), columns,
            [.. export.Lines.Select(l => new SheetCell[]
            {
                l.UnitName, l.UnitCreditCode, l.ProjectName, l.ApprovalNumber, PilotLevel(l.Level), SheetCell.Money(l.ConstructionCostFen),
                Percent(l.RateBasisPoints), SheetCell.Money(l.CapFen), SheetCell.Money(l.BeforeCapFen), SheetCell.Money(l.SubsidyFen),
                XlsxWorkbook.ChinaTimestamp(l.VerifiedAt), Reason(l.ReasonCode),
            })],
            TotalRow(columns.Length, 9, export.TotalFen));
    }

    public static ExportSheet AssetFeeSubsidies(RecordExport<AssetFeeSubsidyLine> export)
    {
        var columns = Columns(("单位名称", 32), ("统一社会信用代码", 22), ("数据资产", 30), ("评估机构", 28), ("评估报告编号", 22), ("评估基准日", 12),
            ("评估价值（元）", 18), ("评估费用（元）", 16), ("按比例计算（元）", 18), ("补助（元）", 16), ("核验时间", 20), ("说明", 14), ("挂牌凭证编号", 18));
        return new ExportSheet("评估费补助清单", "中山市人工智能赋能平台 数据资产评估费补助清单", About(export), columns,
            [.. export.Lines.Select(l => new SheetCell[]
            {
                l.UnitName, l.UnitCreditCode, l.AssetName, l.AssessorFirm, l.ReportNumber, XlsxWorkbook.Date(l.BaseDate), SheetCell.Money(l.ValueFen),
                SheetCell.Money(l.AssessmentFeeFen), SheetCell.Money(l.BeforeCapFen), SheetCell.Money(l.SubsidyFen), XlsxWorkbook.ChinaTimestamp(l.VerifiedAt), Reason(l.ReasonCode),
                l.ListingCertificate,
            })],
            TotalRow(columns.Length, 9, export.TotalFen));
    }

    public static ExportSheet DataAssets(RecordExport<DataAssetExportLine> export)
    {
        var columns = Columns(("单位名称", 32), ("统一社会信用代码", 22), ("数据资产", 30), ("会计科目", 12), ("取得方式", 10), ("入账成本（元）", 18),
            ("确认日期", 12), ("使用寿命（月）", 14), ("关联数据集数", 12), ("最近评估价值（元）", 20), ("评估基准日", 12), ("登记证书", 30), ("核验时间", 20), ("内容哈希", 66));
        return new ExportSheet("数据资产入表清单", "中山市人工智能赋能平台 数据资产入表清单", About(export), columns,
            [.. export.Lines.Select(l => new SheetCell[]
            {
                l.UnitName, l.UnitCreditCode, l.Name, AccountingCategory(l.AccountingCategory), Acquisition(l.Acquisition), SheetCell.Money(l.CostFen),
                XlsxWorkbook.Date(l.RecognitionDate), l.UsefulLifeMonths is { } m ? SheetCell.Number(m) : SheetCell.Of(null), SheetCell.Number(l.DatasetCount),
                l.LatestValuationFen is { } v ? SheetCell.Money(v) : SheetCell.Of(null), l.LatestValuationBaseDate is { } d ? XlsxWorkbook.Date(d) : null,
                l.RegistrationCertificates, XlsxWorkbook.ChinaTimestamp(l.VerifiedAt), l.ContentSha256,
            })],
            TotalRow(columns.Length, 5, export.TotalFen));
    }
}
