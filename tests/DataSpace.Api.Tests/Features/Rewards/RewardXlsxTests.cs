using System.Globalization;
using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using DataSpace.Api.Features.Rewards;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;

namespace DataSpace.Api.Tests.Features.Rewards;

/// <summary>The reward workbook, read back by a reader nobody here wrote: openpyxl (Debian's python3-openpyxl).</summary>
public sealed class RewardXlsxTests
{
    // Debian's interpreter: a pyenv python3 earlier on PATH does not see /usr/lib/python3/dist-packages.
    private const string Python = "/usr/bin/python3";

    // Prints every non-empty cell as JSON; decimals as "%.2f" text so money compares to the cent without floats in C#.
    private const string ReadScript = """
        import json, sys
        try:
            import openpyxl
        except ImportError as e:
            print("OPENPYXL_MISSING: " + str(e), file=sys.stderr)
            sys.exit(3)
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb.worksheets[0]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None:
                    continue
                number = isinstance(v, (int, float)) and not isinstance(v, bool)
                cells[c.coordinate] = {
                    "type": "number" if number else type(v).__name__,
                    "text": ("%.2f" % v) if isinstance(v, float) else str(v),
                    "format": c.number_format,
                }
        print(json.dumps({"sheets": wb.sheetnames, "max_row": ws.max_row, "cells": cells}))
        """;

    private static readonly string[] LineHeaders =
    [
        "单位名称", "统一社会信用代码", "数据集", "数据集编号", "收入（元）", "是否达标", "达标情况",
        "奖励（封顶前，元）", "数据集封顶后（元）", "奖励（元）", "说明",
    ];

    private static readonly string[] UnitHeaders = ["单位名称", "统一社会信用代码", "申报合计（元）", "奖励合计（元）", "是否触及单位上限"];

    private const string UnitA = "中山市智语数据科技有限公司";
    private const string UnitB = "广东省香山文化研究院";

    [Fact]
    public async Task Workbook_opens_in_openpyxl_with_header_block_lines_unit_totals_and_exact_money()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = TempPath();
        try
        {
            await using (var file = File.Create(path))
            {
                RewardXlsx.Write(SampleRun(), file);
            }

            // The SDK's own schema validation (what Excel is strict about) finds nothing.
            using (var document = SpreadsheetDocument.Open(path, isEditable: false))
            {
                var errors = new OpenXmlValidator(FileFormatVersions.Office2010).Validate(document, ct)
                    .Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
                Assert.True(errors.Count == 0, string.Join("\n", errors));
            }

            var book = await ReadWithOpenpyxlAsync(path, ct);
            Assert.Equal(["奖励清单"], book.Sheets);
            var c = book.Cells;

            // Header block: title, then label/value rows.
            Assert.Equal("中山市人工智能赋能平台 语料奖励清单", c.Text("A1"));
            Assert.Equal(
                ["期间", "状态", "内容哈希", "批准时间", "政策", "比例", "单数据集上限（元）", "单位上限（元）", "上限口径", "参与单位", "未授权单位"],
                Enumerable.Range(2, 11).Select(r => c.Text($"A{r}")));
            Assert.Equal("2025-01-01 至 2025-03-31", c.Text("B2"));
            Assert.Equal("approved", c.Text("B3"));
            Assert.Equal(new string('a', 64), c.Text("B4"));
            Assert.Equal("2025-04-01 10:30:05", c.Text("B5")); // 02:30:05Z in Asia/Shanghai
            Assert.Equal("policy-2025q1", c.Text("B6"));
            Assert.Equal("10.00%", c.Text("B7"));
            Assert.Equal("10000.00", c.Money("B8"));
            Assert.Equal("10000.00", c.Money("B9"));
            Assert.Equal("按期间", c.Text("B10"));
            Assert.Equal("2", c.Text("B11"));
            Assert.Equal("1", c.Text("B12"));
            Assert.False(c.Has("A13"), "a blank row separates the header block from the table");

            // One row per dataset.
            Assert.Equal(LineHeaders, Row(c, 14, LineHeaders.Length));
            Assert.Equal(
                [UnitA, "91442000MA4UTEST1X", "粤语语音语料库（第一期）", "ds-0001", "123456.78", "是", "质量评分 92；调用 1200 次", "12345.68", "10000.00", "5328.90", "dataset_cap,unit_cap"],
                Row(c, 15, 11));
            Assert.Equal(
                [UnitA, "91442000MA4UTEST1X", "岐澳古道文献 OCR", "ds-0002", "87654.32", "是", "质量评分 88", "8765.43", "8765.43", "4671.10", "unit_cap"],
                Row(c, 16, 11));
            Assert.Equal(
                [UnitB, "12442000MB2TEST02Y", "中山方言词典", "ds-0003", "45678.01", "否", "未达标：样本量不足", "0.00", "0.00", "0.00", "not_qualified"],
                Row(c, 17, 11));
            foreach (var col in "EHIJ")
            {
                for (var r = 15; r <= 17; r++)
                {
                    Assert.Equal("number", c.Type($"{col}{r}"));
                    Assert.Equal("0.00", c.Format($"{col}{r}"));
                }
            }

            Assert.False(c.Has("A18"));

            // Unit totals, then the grand total under 奖励合计.
            Assert.Equal(UnitHeaders, Row(c, 19, UnitHeaders.Length));
            Assert.Equal([UnitA, "91442000MA4UTEST1X", "18765.43", "10000.00", "是"], Row(c, 20, 5));
            Assert.Equal([UnitB, "12442000MB2TEST02Y", "0.00", "0.00", "否"], Row(c, 21, 5));
            Assert.Equal("合计", c.Text("A22"));
            Assert.Equal("10000.00", c.Money("D22"));
            Assert.Equal("0.00", c.Format("D22"));
            Assert.Equal(22, book.MaxRow);

            // The stored cell text itself is the exact decimal (what Excel and WPS parse), not a binary-float rendering.
            var stored = StoredNumbers(path);
            Assert.Equal("123456.78", stored["E15"]);
            Assert.Equal("5328.90", stored["J15"]);
            Assert.Equal("4671.10", stored["J16"]);
            Assert.Equal("10000.00", stored["D22"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Draft_run_says_so_and_thousands_of_rows_stream_to_a_non_seekable_stream()
    {
        var ct = TestContext.Current.CancellationToken;
        const int lines = 3000;
        var draft = SampleRun() with
        {
            Status = "draft",
            ContentSha256 = null,
            ApprovedAt = null,
            CapScope = "lifetime",
            RateBasisPoints = 1234,
            Lines = [.. Enumerable.Range(0, lines).Select(i => new RewardExportLine(
                "u1", UnitA, "91442000MA4UTEST1X", $"ds-{i:D5}", $"数据集 {i}", 99_999_999_999L + i, true, "达标", i, i, i, ""))],
            TotalFen = 123_456_789_012_345L,
        };
        var path = TempPath();
        try
        {
            await using (var file = File.Create(path))
            {
                await using var forwardOnly = new ForwardOnlyStream(file);
                RewardXlsx.Write(draft, forwardOnly);
            }

            var book = await ReadWithOpenpyxlAsync(path, ct);
            var c = book.Cells;
            Assert.Equal("draft", c.Text("B3"));
            Assert.Equal("（草稿，未冻结）", c.Text("B4"));
            Assert.False(c.Has("B5"), "no approval time for a draft");
            Assert.Equal("12.34%", c.Text("B7"));
            Assert.Equal("累计", c.Text("B10"));

            var last = 14 + lines;
            Assert.Equal([UnitA, "91442000MA4UTEST1X", $"数据集 {lines - 1}", $"ds-{lines - 1:D5}"], Row(c, last, 4));
            Assert.Equal("29.99", c.Money($"J{last}"));
            var stored = StoredNumbers(path);
            Assert.Equal("1000000029.98", stored[$"E{last}"]); // 99,999,999,999 + 2999 fen
            var total = last + 5; // blank, unit headers, two units, 合计
            Assert.Equal("合计", c.Text($"A{total}"));
            Assert.Equal("1234567890123.45", stored[$"D{total}"]);
            Assert.Equal(total, book.MaxRow);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_copies_the_same_workbook_to_a_response_like_stream()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = TempPath();
        try
        {
            await using (var file = File.Create(path))
            {
                await using var body = new ForwardOnlyStream(file);
                await RewardXlsx.WriteAsync(SampleRun(), body, ct);
            }

            var book = await ReadWithOpenpyxlAsync(path, ct);
            Assert.Equal(["奖励清单"], book.Sheets);
            Assert.Equal(UnitA, book.Cells.Text("A20"));
            Assert.Equal("10000.00", book.Cells.Money("D22"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1000, "10.00%")]
    [InlineData(1234, "12.34%")]
    [InlineData(5, "0.05%")]
    [InlineData(0, "0.00%")]
    [InlineData(10000, "100.00%")]
    public void Rate_in_basis_points_is_shown_as_percent(int basisPoints, string expected) =>
        Assert.Equal(expected, RewardXlsx.Percent(basisPoints));

    [Fact]
    public async Task The_workbook_as_openpyxl_reads_it_is_pinned()
    {
        // The .xlsx bytes carry package timestamps, so what is pinned is what a reader sees: every cell's type, text and format.
        var ct = TestContext.Current.CancellationToken;
        var path = TempPath();
        try
        {
            await using (var file = File.Create(path))
            {
                RewardXlsx.Write(SampleRun(), file);
            }

            var workbook = await ReadWithOpenpyxlAsync(path, ct);
            var cells = workbook.Cells.OrderBy(c => int.Parse(new string([.. c.Key.SkipWhile(char.IsLetter)]), CultureInfo.InvariantCulture)).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => $"{c.Key}\t{c.Value.Type}\t{c.Value.Format}\t{c.Value.Text}");
            Snapshot.Verify("reward-run-xlsx-cells", "txt", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', [$"sheets\t{string.Join(",", workbook.Sheets)}", .. cells]) + "\n"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static RewardRunExport SampleRun() => new(
        RunId: "run-1",
        PeriodFrom: new DateOnly(2025, 1, 1),
        PeriodTo: new DateOnly(2025, 3, 31),
        Status: "approved",
        ContentSha256: new string('a', 64),
        ApprovedAt: new DateTimeOffset(2025, 4, 1, 2, 30, 5, TimeSpan.Zero),
        PolicyId: "policy-2025q1",
        RateBasisPoints: 1000,
        DatasetCapFen: 1_000_000,
        UnitCapFen: 1_000_000,
        CapScope: "per_period",
        Lines:
        [
            new("u1", UnitA, "91442000MA4UTEST1X", "ds-0001", "粤语语音语料库（第一期）", 12_345_678, true, "质量评分 92；调用 1200 次", 1_234_568, 1_000_000, 532_890, "dataset_cap,unit_cap"),
            new("u1", UnitA, "91442000MA4UTEST1X", "ds-0002", "岐澳古道文献 OCR", 8_765_432, true, "质量评分 88", 876_543, 876_543, 467_110, "unit_cap"),
            new("u2", UnitB, "12442000MB2TEST02Y", "ds-0003", "中山方言词典", 4_567_801, false, "未达标：样本量不足", 0, 0, 0, "not_qualified"),
        ],
        Units:
        [
            new("u1", UnitA, "91442000MA4UTEST1X", 1_876_543, 1_000_000, true),
            new("u2", UnitB, "12442000MB2TEST02Y", 0, 0, false),
        ],
        TotalFen: 1_000_000,
        UnitsInProgramme: 2,
        UnitsNotConsenting: 1);

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"reward-xlsx-{Guid.NewGuid():N}.xlsx");

    private static string[] Row(Cells cells, int row, int columns) =>
        [.. Enumerable.Range(0, columns).Select(i => cells.Has($"{(char)('A' + i)}{row}") ? cells.Text($"{(char)('A' + i)}{row}") : "")];

    /// <summary>The &lt;v&gt; text of every number cell in the worksheet XML, by reference.</summary>
    private static Dictionary<string, string> StoredNumbers(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var sheet = zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
        using var stream = sheet.Open();
        XNamespace ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        return XDocument.Load(stream).Descendants(ns + "c")
            .Where(c => (string?)c.Attribute("t") is null or "n")
            .Where(c => c.Element(ns + "v") is not null)
            .ToDictionary(c => (string)c.Attribute("r")!, c => c.Element(ns + "v")!.Value);
    }

    internal static async Task<Workbook> ReadWithOpenpyxlAsync(string path, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ReadScript);
        start.ArgumentList.Add(path);

        Process python;
        try
        {
            python = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{Python} could not be started ({e.Message}): install Debian's python3 and python3-openpyxl, or run the tests with ./dataspace test (it installs python3-openpyxl).");
            throw;
        }

        using (python)
        {
            var stdout = python.StandardOutput.ReadToEndAsync(ct);
            var stderr = python.StandardError.ReadToEndAsync(ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(120));
            await python.WaitForExitAsync(deadline.Token);

            if (python.ExitCode == 3 && (await stderr).Contains("OPENPYXL_MISSING", StringComparison.Ordinal))
            {
                Assert.Fail($"openpyxl is not installed for {Python}: run the tests with ./dataspace test (it installs Debian's python3-openpyxl), or apt-get install -y python3-openpyxl. ({(await stderr).Trim()})");
            }

            Assert.True(python.ExitCode == 0, $"openpyxl could not read the workbook (exit {python.ExitCode}): {await stderr}");
            return JsonSerializer.Deserialize<Workbook>(await stdout, JsonOptions)!;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal sealed record Workbook(string[] Sheets, int MaxRow, Cells Cells);

    internal sealed record Cell(string Type, string Text, string Format);

    internal sealed class Cells : Dictionary<string, Cell>
    {
        public bool Has(string reference) => ContainsKey(reference);

        public string Text(string reference) => Get(reference).Text;

        public string Type(string reference) => Get(reference).Type;

        public string Format(string reference) => Get(reference).Format;

        /// <summary>A money cell: a number, shown "0.00", to the cent.</summary>
        public string Money(string reference)
        {
            var cell = Get(reference);
            Assert.True(cell.Type == "number", $"{reference} should be a number cell, was {cell.Type} '{cell.Text}'");
            Assert.Equal("0.00", cell.Format);
            return cell.Text;
        }

        private Cell Get(string reference) =>
            TryGetValue(reference, out var cell) ? cell : throw new Xunit.Sdk.XunitException($"cell {reference} is empty or missing");
    }

    /// <summary>Like an HTTP response body: write-only, no Position, no Seek.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
