using System.Globalization;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// A reward run as an .xlsx workbook for the data bureau (Excel / WPS): one worksheet "奖励清单" with a header block,
/// one row per dataset, the unit totals and the grand total. Money cells are numbers shown as "0.00"; their stored
/// text is the exact yuan value from <see cref="Yuan.Format"/> (integer arithmetic on fen, no floating point).
/// Every part is written with <see cref="OpenXmlWriter"/>, element by element: no DOM or string of the whole sheet is built.
/// </summary>
internal static class RewardXlsx
{
    public const string SheetName = "奖励清单";
    public const string Title = "中山市人工智能赋能平台 语料奖励清单";
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

    // Cell formats in the stylesheet below (index into cellXfs).
    private const uint StyleDefault = 0;
    private const uint StyleMoney = 1;
    private const uint StyleBold = 2;
    private const uint StyleTitle = 3;
    private const uint StyleMoneyBold = 4;
    private const uint MoneyNumberFormatId = 164; // first id free for custom formats

    private static readonly TimeZoneInfo ChinaTime = FindChinaTime();

    /// <summary>Writes the workbook to <paramref name="output"/>. Any writable stream works: a readable, seekable one (a file)
    /// gets the package directly, any other (an HTTP response body) a copy of a temporary file, written synchronously.</summary>
    public static void Write(RewardRunExport run, Stream output)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        if (output.CanSeek && output.CanRead)
        {
            WritePackage(run, output);
            return;
        }

        using var buffer = TemporaryFile();
        WritePackage(run, buffer);
        buffer.Position = 0;
        buffer.CopyTo(output);
        output.Flush();
    }

    /// <summary>For ASP.NET Core response bodies (which refuse synchronous writes): builds the workbook in a temporary
    /// file, then copies it asynchronously.</summary>
    public static async Task WriteAsync(RewardRunExport run, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        await using var buffer = TemporaryFile();
        WritePackage(run, buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static FileStream TemporaryFile() =>
        new(Path.Combine(Path.GetTempPath(), $"dataspace-reward-{Guid.NewGuid():N}.xlsx"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose);

    private static void WritePackage(RewardRunExport run, Stream output)
    {
        // The SDK (2.20) insists on a readable package, so System.IO.Packaging runs its zip in update mode and keeps each
        // part's XML in memory until the package closes: about 0.5 KB per row, a few MB for thousands of rows.
        // Nothing else is held: the parts are written element by element, never as a DOM or one string.
        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);

        var workbookPart = document.AddWorkbookPart();
        var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
        var stylesPart = workbookPart.AddNewPart<WorkbookStylesPart>();
        var sharedStringsPart = workbookPart.AddNewPart<SharedStringTablePart>();

        var strings = new SharedStrings();
        WriteWorksheet(run, worksheetPart, strings);
        strings.WriteTo(sharedStringsPart);
        WriteStylesheet(stylesPart);

        using (var writer = OpenXmlWriter.Create(workbookPart, Encoding.UTF8))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(new Workbook());
            writer.WriteStartElement(new Sheets());
            writer.WriteElement(new Sheet { Name = SheetName, SheetId = 1U, Id = workbookPart.GetIdOfPart(worksheetPart) });
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
    }

    private static void WriteWorksheet(RewardRunExport run, WorksheetPart part, SharedStrings strings)
    {
        using var writer = OpenXmlWriter.Create(part, Encoding.UTF8);
        var rows = new RowWriter(writer, strings);

        writer.WriteStartDocument();
        writer.WriteStartElement(new Worksheet());

        // Title + 11 label rows, blank, headers + lines, blank, headers + units, 合计.
        var lastRow = 12 + 1 + 1 + run.Lines.Count + 1 + 1 + run.Units.Count + 1;
        writer.WriteElement(new SheetDimension { Reference = string.Create(CultureInfo.InvariantCulture, $"A1:K{lastRow}") });

        writer.WriteStartElement(new Columns());
        for (var i = 0; i < ColumnWidths.Length; i++)
        {
            var index = (uint)(i + 1);
            writer.WriteElement(new Column { Min = index, Max = index, Width = ColumnWidths[i], CustomWidth = true });
        }

        writer.WriteEndElement();

        writer.WriteStartElement(new SheetData());

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

        writer.WriteEndElement(); // sheetData
        writer.WriteEndElement(); // worksheet
    }

    private static void WriteStylesheet(WorkbookStylesPart part)
    {
        using var writer = OpenXmlWriter.Create(part, Encoding.UTF8);
        writer.WriteStartDocument();
        writer.WriteElement(new Stylesheet(
            new NumberingFormats(new NumberingFormat { NumberFormatId = MoneyNumberFormatId, FormatCode = "0.00" }) { Count = 1U },
            new Fonts(
                new Font(new FontSize { Val = 11D }, new FontName { Val = "宋体" }),
                new Font(new Bold(), new FontSize { Val = 11D }, new FontName { Val = "宋体" }),
                new Font(new Bold(), new FontSize { Val = 14D }, new FontName { Val = "宋体" }))
            { Count = 3U },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }))
            { Count = 2U },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1U },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0U, FontId = 0U, FillId = 0U, BorderId = 0U }) { Count = 1U },
            new CellFormats(
                new CellFormat { NumberFormatId = 0U, FontId = 0U, FillId = 0U, BorderId = 0U, FormatId = 0U },
                new CellFormat { NumberFormatId = MoneyNumberFormatId, FontId = 0U, FillId = 0U, BorderId = 0U, FormatId = 0U, ApplyNumberFormat = true },
                new CellFormat { NumberFormatId = 0U, FontId = 1U, FillId = 0U, BorderId = 0U, FormatId = 0U, ApplyFont = true },
                new CellFormat { NumberFormatId = 0U, FontId = 2U, FillId = 0U, BorderId = 0U, FormatId = 0U, ApplyFont = true },
                new CellFormat { NumberFormatId = MoneyNumberFormatId, FontId = 1U, FillId = 0U, BorderId = 0U, FormatId = 0U, ApplyNumberFormat = true, ApplyFont = true })
            { Count = 5U },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0U, BuiltinId = 0U }) { Count = 1U }));
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string ChinaTimestamp(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, ChinaTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Basis points as a percentage with two decimals, with integers: 1000 → "10.00%", 1234 → "12.34%".</summary>
    internal static string Percent(int basisPoints)
    {
        var sign = basisPoints < 0 ? "-" : "";
        var abs = Math.Abs((long)basisPoints);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:00}%");
    }

    private static string CapScope(string scope) => scope switch
    {
        "per_period" => "按期间",
        "lifetime" => "累计",
        _ => scope,
    };

    // China has kept UTC+8 without daylight saving since 1991: the fixed offset is the fallback when tzdata is missing.
    private static TimeZoneInfo FindChinaTime() =>
        TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Shanghai", out var zone)
            ? zone
            : TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");

    /// <summary>Characters XML 1.0 cannot carry (control characters, lone surrogates) become U+FFFD.</summary>
    private static string XmlSafe(string value)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (XmlConvert.IsXmlChar(c))
            {
                builder?.Append(c);
            }
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], c))
            {
                builder?.Append(c).Append(value[i + 1]);
                i++;
            }
            else
            {
                builder ??= new StringBuilder(value.Length).Append(value, 0, i);
                builder.Append('\uFFFD');
            }
        }

        return builder?.ToString() ?? value;
    }

    /// <summary>The shared string table: each distinct text once, in order of first use.</summary>
    private sealed class SharedStrings
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];
        private int _uses;

        public int IndexOf(string value)
        {
            _uses++;
            if (!_index.TryGetValue(value, out var index))
            {
                index = _values.Count;
                _index.Add(value, index);
                _values.Add(value);
            }

            return index;
        }

        public void WriteTo(SharedStringTablePart part)
        {
            using var writer = OpenXmlWriter.Create(part, Encoding.UTF8);
            writer.WriteStartDocument();
            writer.WriteStartElement(new SharedStringTable { Count = (uint)_uses, UniqueCount = (uint)_values.Count });
            foreach (var value in _values)
            {
                var text = new Text(value);
                if (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])))
                {
                    text.Space = SpaceProcessingModeValues.Preserve;
                }

                writer.WriteElement(new SharedStringItem(text));
            }

            writer.WriteEndElement();
        }
    }

    /// <summary>Writes rows one at a time, with explicit cell references (A1, B1, …).</summary>
    private sealed class RowWriter(OpenXmlWriter writer, SharedStrings strings)
    {
        private uint _row;
        private int _column;
        private Row? _current;

        public void Start()
        {
            _row++;
            _column = 0;
            _current = new Row { RowIndex = _row };
        }

        public void End()
        {
            writer.WriteElement(_current!);
            _current = null;
        }

        public void Skip() => _row++;

        public void Empty() => _column++;

        public void Text(string? value, uint style = StyleDefault)
        {
            var reference = NextReference();
            if (string.IsNullOrEmpty(value))
            {
                if (style != StyleDefault)
                {
                    _current!.Append(new Cell { CellReference = reference, StyleIndex = style });
                }

                return;
            }

            var index = strings.IndexOf(XmlSafe(value));
            var cell = new Cell
            {
                CellReference = reference,
                DataType = CellValues.SharedString,
                CellValue = new CellValue(index.ToString(CultureInfo.InvariantCulture)),
            };
            if (style != StyleDefault)
            {
                cell.StyleIndex = style;
            }

            _current!.Append(cell);
        }

        /// <summary>A number cell whose stored text is the exact yuan value, e.g. "12345.67", formatted "0.00".</summary>
        public void Money(long fen, uint style = StyleMoney) =>
            _current!.Append(new Cell
            {
                CellReference = NextReference(),
                DataType = CellValues.Number,
                StyleIndex = style,
                CellValue = new CellValue(Yuan.Format(fen)),
            });

        public void Number(long value) =>
            _current!.Append(new Cell
            {
                CellReference = NextReference(),
                DataType = CellValues.Number,
                CellValue = new CellValue(value.ToString(CultureInfo.InvariantCulture)),
            });

        public void LabelText(string label, string? value)
        {
            Start();
            Text(label, StyleBold);
            Text(value);
            End();
        }

        public void LabelMoney(string label, long fen)
        {
            Start();
            Text(label, StyleBold);
            Money(fen);
            End();
        }

        public void LabelNumber(string label, long value)
        {
            Start();
            Text(label, StyleBold);
            Number(value);
            End();
        }

        public void Headers(IReadOnlyList<string> headers)
        {
            Start();
            foreach (var header in headers)
            {
                Text(header, StyleBold);
            }

            End();
        }

        private string NextReference()
        {
            var column = _column++;
            var name = "";
            for (var n = column + 1; n > 0; n = (n - 1) / 26)
            {
                name = (char)('A' + ((n - 1) % 26)) + name;
            }

            return string.Create(CultureInfo.InvariantCulture, $"{name}{_row}");
        }
    }
}
