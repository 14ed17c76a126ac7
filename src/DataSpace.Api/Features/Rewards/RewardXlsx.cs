using System.Globalization;
using DataSpace.Api.Http;
using DataSpace.Contracts.Rewards;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// A reward run as an .xlsx workbook for the data bureau (Excel / WPS): one worksheet "奖励清单" with a header block,
/// one row per dataset, the unit totals and the grand total. Money cells are numbers shown as "0.00"; their stored
/// text is the exact yuan value from <see cref="Yuan.Format"/> (integer arithmetic on fen, no floating point).
/// Written by <see cref="XlsxWorkbook"/>, element by element.
/// </summary>
internal static class RewardXlsx
{
    public const string SheetName = "奖励清单";
    public const string Title = "中山市人工智能赋能平台 语料奖励清单";
    public const string ContentType = XlsxWorkbook.ContentType;

    public static readonly IReadOnlyList<string> LineHeaders =
    [
        "单位名称", "统一社会信用代码", "数据集", "数据集编号", "收入（元）", "是否达标", "达标情况",
        "奖励（封顶前，元）", "数据集封顶后（元）", "奖励（元）", "说明",
    ];

    public static readonly IReadOnlyList<string> UnitHeaders =
    [
        "单位名称", "统一社会信用代码", "申报合计（元）", "奖励合计（元）", "是否触及单位上限",
    ];

    // Column widths (characters) for A..K; CJK text is about two characters wide.
    private static readonly double[] ColumnWidths = [32, 22, 34, 38, 16, 10, 36, 20, 20, 16, 22];

    private const uint StyleBold = XlsxWorkbook.StyleBold;
    private const uint StyleTitle = XlsxWorkbook.StyleTitle;
    private const uint StyleMoneyBold = XlsxWorkbook.StyleMoneyBold;

    /// <summary>Writes the workbook to any writable stream (see <see cref="XlsxWorkbook.Write"/>).</summary>
    public static void Write(RewardRunExport run, Stream output)
    {
        ArgumentNullException.ThrowIfNull(run);
        XlsxWorkbook.Write(SheetName, ColumnWidths, LastRow(run), rows => WriteRows(run, rows), output);
    }

    /// <summary>For ASP.NET Core response bodies, which refuse synchronous writes.</summary>
    public static Task WriteAsync(RewardRunExport run, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return XlsxWorkbook.WriteAsync(SheetName, ColumnWidths, LastRow(run), rows => WriteRows(run, rows), output, cancellationToken);
    }

    // Title + 11 label rows, blank, headers + lines, blank, headers + units, 合计.
    private static int LastRow(RewardRunExport run) => 12 + 1 + 1 + run.Lines.Count + 1 + 1 + run.Units.Count + 1;

    private static void WriteRows(RewardRunExport run, XlsxRows rows)
    {
        // Header block.
        rows.Start();
        rows.Text(Title, StyleTitle);
        rows.End();
        rows.LabelText("期间", $"{Date(run.PeriodFrom)} 至 {Date(run.PeriodTo)}");
        rows.LabelText("状态", run.Status);
        rows.LabelText("内容哈希", string.IsNullOrEmpty(run.ContentSha256) ? "（草稿，未冻结）" : run.ContentSha256);
        rows.LabelText("批准时间", run.ApprovedAt is { } approved ? ChinaTimestamp(approved) : "");
        rows.LabelText("政策", run.PolicyId);
        rows.LabelText("比例", Percent(run.RateBasisPoints));
        rows.LabelMoney("单数据集上限（元）", run.DatasetCapFen);
        rows.LabelMoney("单位上限（元）", run.UnitCapFen);
        rows.LabelText("上限口径", CapScope(run.CapScope));
        rows.LabelNumber("参与单位", run.UnitsInProgramme);
        rows.LabelNumber("未授权单位", run.UnitsNotConsenting);
        rows.Skip();

        // One row per dataset.
        rows.Headers(LineHeaders);
        foreach (var line in run.Lines)
        {
            rows.Start();
            rows.Text(line.UnitName);
            rows.Text(line.UnitCreditCode);
            rows.Text(line.DatasetTitle);
            rows.Text(line.DatasetId);
            rows.Money(line.RevenueFen);
            rows.Text(line.Qualified ? "是" : "否");
            rows.Text(line.CriteriaSummary);
            rows.Money(line.BeforeCapsFen);
            rows.Money(line.AfterDatasetCapFen);
            rows.Money(line.RewardFen);
            rows.Text(line.ReasonCode);
            rows.End();
        }

        rows.Skip();

        // Unit totals and the grand total.
        rows.Headers(UnitHeaders);
        foreach (var unit in run.Units)
        {
            rows.Start();
            rows.Text(unit.UnitName);
            rows.Text(unit.UnitCreditCode);
            rows.Money(unit.RequestedFen);
            rows.Money(unit.RewardFen);
            rows.Text(unit.UnitCapApplied ? "是" : "否");
            rows.End();
        }

        rows.Start();
        rows.Text("合计", StyleBold);
        rows.Empty();
        rows.Empty();
        rows.Money(run.TotalFen, StyleMoneyBold);
        rows.End();
    }

    private static string Date(DateOnly date) => XlsxWorkbook.Date(date);

    private static string ChinaTimestamp(DateTimeOffset at) => XlsxWorkbook.ChinaTimestamp(at);

    /// <summary>Basis points as a percentage with two decimals, with integers: 1000 → "10.00%", 1234 → "12.34%".</summary>
    internal static string Percent(int basisPoints)
    {
        var sign = basisPoints < 0 ? "-" : "";
        var abs = Math.Abs((long)basisPoints);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:00}%");
    }

    private static string CapScope(string scope) => scope switch
    {
        CapScopes.PerPeriod => "按期间",
        CapScopes.Lifetime => "累计",
        _ => scope,
    };
}
