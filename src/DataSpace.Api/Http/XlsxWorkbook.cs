using System.Globalization;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace DataSpace.Api.Http;

/// <summary>
/// One-sheet .xlsx workbooks for the bureau (Excel / WPS), written element by element with <see cref="OpenXmlWriter"/>:
/// no DOM or string of the whole sheet is built. Money cells are numbers shown as "0.00" whose stored text is the exact
/// yuan value from <see cref="Yuan.Format"/> (integer arithmetic on fen, no floating point); fonts are 宋体.
/// </summary>
internal static class XlsxWorkbook
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // Cell formats in the stylesheet below (index into cellXfs).
    public const uint StyleDefault = 0;
    public const uint StyleMoney = 1;
    public const uint StyleBold = 2;
    public const uint StyleTitle = 3;
    public const uint StyleMoneyBold = 4;
    private const uint MoneyNumberFormatId = 164; // first id free for custom formats

    public static readonly TimeZoneInfo ChinaTime = FindChinaTime();

    /// <summary>Writes the workbook to <paramref name="output"/>. Any writable stream works: a readable, seekable one (a file)
    /// gets the package directly, any other (an HTTP response body) a copy of a temporary file, written synchronously.</summary>
    public static void Write(string sheetName, IReadOnlyList<double> widths, int lastRow, Action<XlsxRows> rows, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        if (output.CanSeek && output.CanRead)
        {
            WritePackage(sheetName, widths, lastRow, rows, output);
            return;
        }

        using var buffer = TemporaryFile();
        WritePackage(sheetName, widths, lastRow, rows, buffer);
        buffer.Position = 0;
        buffer.CopyTo(output);
        output.Flush();
    }

    /// <summary>For ASP.NET Core response bodies (which refuse synchronous writes): builds the workbook in a temporary
    /// file, then copies it asynchronously.</summary>
    public static async Task WriteAsync(string sheetName, IReadOnlyList<double> widths, int lastRow, Action<XlsxRows> rows, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var buffer = TemporaryFile();
        WritePackage(sheetName, widths, lastRow, rows, buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string ChinaTimestamp(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, ChinaTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static FileStream TemporaryFile() =>
        new(Path.Combine(Path.GetTempPath(), $"dataspace-export-{Guid.NewGuid():N}.xlsx"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose);

    private static void WritePackage(string sheetName, IReadOnlyList<double> widths, int lastRow, Action<XlsxRows> rows, Stream output)
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
        WriteWorksheet(worksheetPart, strings, widths, lastRow, rows);
        strings.WriteTo(sharedStringsPart);
        WriteStylesheet(stylesPart);

        using (var writer = OpenXmlWriter.Create(workbookPart, Encoding.UTF8))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(new Workbook());
            writer.WriteStartElement(new Sheets());
            writer.WriteElement(new Sheet { Name = sheetName, SheetId = 1U, Id = workbookPart.GetIdOfPart(worksheetPart) });
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
    }

    private static void WriteWorksheet(WorksheetPart part, SharedStrings strings, IReadOnlyList<double> widths, int lastRow, Action<XlsxRows> rows)
    {
        using var writer = OpenXmlWriter.Create(part, Encoding.UTF8);
        writer.WriteStartDocument();
        writer.WriteStartElement(new Worksheet());
        writer.WriteElement(new SheetDimension { Reference = string.Create(CultureInfo.InvariantCulture, $"A1:{XlsxRows.ColumnName(widths.Count - 1)}{lastRow}") });

        writer.WriteStartElement(new Columns());
        for (var i = 0; i < widths.Count; i++)
        {
            var index = (uint)(i + 1);
            writer.WriteElement(new Column { Min = index, Max = index, Width = widths[i], CustomWidth = true });
        }

        writer.WriteEndElement();
        writer.WriteStartElement(new SheetData());
        rows(new XlsxRows(writer, strings));
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

    // China has kept UTC+8 without daylight saving since 1991: the fixed offset is the fallback when tzdata is missing.
    private static TimeZoneInfo FindChinaTime() =>
        TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Shanghai", out var zone)
            ? zone
            : TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");

    /// <summary>Characters XML 1.0 cannot carry (control characters, lone surrogates) become U+FFFD.</summary>
    internal static string XmlSafe(string value)
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
    internal sealed class SharedStrings
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
}

/// <summary>Writes rows one at a time, with explicit cell references (A1, B1, …).</summary>
internal sealed class XlsxRows(OpenXmlWriter writer, XlsxWorkbook.SharedStrings strings)
{
    private const uint StyleDefault = XlsxWorkbook.StyleDefault;
    private const uint StyleMoney = XlsxWorkbook.StyleMoney;
    private const uint StyleBold = XlsxWorkbook.StyleBold;

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

        var index = strings.IndexOf(XlsxWorkbook.XmlSafe(value));
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

    /// <summary>A, B, …, Z, AA, … for a zero-based column index.</summary>
    public static string ColumnName(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }

        return name;
    }

    private string NextReference() => string.Create(CultureInfo.InvariantCulture, $"{ColumnName(_column++)}{_row}");
}
