using System.Globalization;
using System.Text;
using DataSpace.Api.Http;

namespace DataSpace.Api.Features.Exports;

internal enum CellKind { Text, Money, Number }

/// <summary>One cell of an export: text, money (fen, shown as yuan with two decimals) or a whole number.</summary>
internal readonly record struct SheetCell(CellKind Kind, string? Text, long Value)
{
    public static SheetCell Of(string? text) => new(CellKind.Text, text, 0);

    public static SheetCell Money(long fen) => new(CellKind.Money, null, fen);

    public static SheetCell Number(long value) => new(CellKind.Number, null, value);

    public static implicit operator SheetCell(string? text) => Of(text);

    /// <summary>The cell as CSV shows it.</summary>
    public string Display() => Kind switch
    {
        CellKind.Money => Yuan.Format(Value),
        CellKind.Number => Value.ToString(CultureInfo.InvariantCulture),
        _ => Text ?? "",
    };
}

internal sealed record SheetColumn(string Header, double Width);

/// <summary>
/// A list the bureau exports: a title, a block of labelled facts (period, policy, generated at), one header row and the
/// lines, and an optional 合计 row. The same sheet is written as CSV (UTF-8 BOM, CRLF, RFC 4180) and as XLSX.
/// </summary>
internal sealed record ExportSheet(
    string SheetName,
    string Title,
    IReadOnlyList<(string Label, SheetCell Value)> About,
    IReadOnlyList<SheetColumn> Columns,
    IReadOnlyList<SheetCell[]> Rows,
    SheetCell[]? Total);

internal static class SheetCsv
{
    public static byte[] Write(ExportSheet sheet)
    {
        var csv = new StringBuilder();
        void Row(IEnumerable<string> cells) => csv.AppendJoin(',', cells.Select(Csv.Cell)).Append("\r\n");

        Row([sheet.Title]);
        foreach (var (label, value) in sheet.About)
        {
            Row([label, value.Display()]);
        }

        Row([]);
        Row(sheet.Columns.Select(c => c.Header));
        foreach (var row in sheet.Rows)
        {
            Row(row.Select(c => c.Display()));
        }

        if (sheet.Total is { } total)
        {
            Row(total.Select(c => c.Display()));
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }
}

internal static class SheetXlsx
{
    public static void Write(ExportSheet sheet, Stream output) =>
        XlsxWorkbook.Write(sheet.SheetName, [.. sheet.Columns.Select(c => c.Width)], LastRow(sheet), rows => WriteRows(sheet, rows), output);

    public static Task WriteAsync(ExportSheet sheet, Stream output, CancellationToken ct) =>
        XlsxWorkbook.WriteAsync(sheet.SheetName, [.. sheet.Columns.Select(c => c.Width)], LastRow(sheet), rows => WriteRows(sheet, rows), output, ct);

    // Title, the facts, a blank row, headers, lines, 合计.
    private static int LastRow(ExportSheet sheet) => 1 + sheet.About.Count + 1 + 1 + sheet.Rows.Count + (sheet.Total is null ? 0 : 1);

    private static void WriteRows(ExportSheet sheet, XlsxRows rows)
    {
        rows.Start();
        rows.Text(sheet.Title, XlsxWorkbook.StyleTitle);
        rows.End();
        foreach (var (label, value) in sheet.About)
        {
            rows.Start();
            rows.Text(label, XlsxWorkbook.StyleBold);
            Cell(rows, value, bold: false);
            rows.End();
        }

        rows.Skip();
        rows.Headers([.. sheet.Columns.Select(c => c.Header)]);
        foreach (var row in sheet.Rows)
        {
            rows.Start();
            foreach (var cell in row)
            {
                Cell(rows, cell, bold: false);
            }

            rows.End();
        }

        if (sheet.Total is { } total)
        {
            rows.Start();
            foreach (var cell in total)
            {
                Cell(rows, cell, bold: true);
            }

            rows.End();
        }
    }

    private static void Cell(XlsxRows rows, SheetCell cell, bool bold)
    {
        switch (cell.Kind)
        {
            case CellKind.Money:
                rows.Money(cell.Value, bold ? XlsxWorkbook.StyleMoneyBold : XlsxWorkbook.StyleMoney);
                break;
            case CellKind.Number:
                rows.Number(cell.Value);
                break;
            default:
                rows.Text(cell.Text, bold && !string.IsNullOrEmpty(cell.Text) ? XlsxWorkbook.StyleBold : XlsxWorkbook.StyleDefault);
                break;
        }
    }
}
