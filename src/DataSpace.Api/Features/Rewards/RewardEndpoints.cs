using System.Globalization;
using System.Text;
using System.Text.Json;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Rewards;
using DataSpace.Usage.Rewards;
using Microsoft.AspNetCore.Mvc;


namespace DataSpace.Api.Features.Rewards;

internal static class RewardEndpoints
{
    public static IEndpointRouteBuilder MapRewardEndpoints(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup("/v1/reward-policies").WithTags("Rewards").RequireAuthorization(Policies.RewardsBureau);
        policies.MapPost("/", CreatePolicy).WithName("CreateRewardPolicy")
            .WithSummary("Set a reward policy: rate, caps, cap scope and the qualification thresholds (data bureau); it never changes")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        policies.MapGet("/", ListPolicies).WithName("ListRewardPolicies")
            .WithSummary("Reward policies (语料奖励政策), newest first (data bureau)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        policies.MapGet("/{id}", GetPolicy).WithName("GetRewardPolicy")
            .WithSummary("One reward policy (data bureau)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var runs = app.MapGroup("/v1/reward-runs").WithTags("Rewards").RequireAuthorization(Policies.RewardsReader);
        runs.MapPost("/", CreateRun).WithName("CreateRewardRun")
            .WithSummary("Compute a draft run for a period over the units in the programme (consenting to revenue and usage statistics) (data bureau)")
            .RequireAuthorization(Policies.RewardsBureau)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/", ListRuns).WithName("ListRewardRuns")
            .WithSummary("Reward runs (语料奖励), newest first, without their lines: the bureau's own runs; a unit's approved runs with its own total. Filter by status and by year (the period overlaps that calendar year)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        runs.MapGet("/{id}", GetRun).WithName("GetRewardRun")
            .WithSummary("A run: the whole of it for the bureau; a unit sees its own lines of approved runs")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/{id}/lines", GetLines).WithName("ListRewardRunLines")
            .WithSummary("A run's lines, one per dataset, a page at a time in the order computed; ?unit= keeps one unit's lines (the bureau reviewing a unit); a unit sees its own lines of approved runs")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPost("/{id}/approve", Approve).WithName("ApproveRewardRun")
            .WithSummary("Freeze a draft with its content hash; an overlapping approved run needs a reason to be superseded (data bureau)")
            .RequireAuthorization(Policies.RewardsBureau)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapGet("/{id}/export", Export).WithName("ExportRewardRun")
            .WithSummary("The run as csv (UTF-8 with BOM, CRLF: opens in Excel and WPS), xlsx, json ({run, lines}), jsonl (the canonical content the run's content_sha256 covers), or parquet (snappy; fen as INT64, yuan as DECIMAL(18,2), the header as key-value metadata) (data bureau)")
            .RequireAuthorization(Policies.RewardsBureau)
            .WithMetadata(new OpenApi.FileResponse("The run as a file in the format asked for: csv (UTF-8 with BOM, CRLF), xlsx, parquet, jsonl (the canonical " +
                "content, whose SHA-256 is content_sha256), or json (an object {run, lines}: the RewardRun summary and every RewardRunLine). Declared as files " +
                "in every format, so that generated clients return a stream whichever format is asked for.",
                ["text/csv", RewardXlsx.ContentType, DataSpace.Parquet.ParquetWriter.MediaType, "application/jsonl", "application/octet-stream"]))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static RewardPolicyView View(RewardStore.PolicyRow p) => new(p.Id.ToString(), p.Name, p.RateBasisPoints, p.DatasetCapFen, p.UnitCapFen, p.CapScope,
        p.MinFiles, p.MinBytes, p.MinVersionsInPeriod, p.MinPayingConsumers, Timestamps.Utc(p.CreatedAt), p.MinRows, p.MinCompletenessBasisPoints,
        p.RequireListingCertificate);

    private static async Task<Results<Created<RewardPolicyView>, ProblemHttpResult>> CreatePolicy(
        CreateRewardPolicyRequest r, HttpContext http, RewardStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.RequiredText("name", r.Name, 200);
        var rate = r.RateBasisPoints ?? 1000;
        if (rate is < 0 or > 10000)
        {
            v.Add("rate_basis_points", "must be between 0 and 10000 (1000 = 10 %)");
        }

        void NonNegative(string field, long? value, bool required)
        {
            if (value is null && required)
            {
                v.Add(field, "is required (0 means no threshold)");
            }
            else if (value < 0)
            {
                v.Add(field, "must not be negative");
            }
        }

        NonNegative("dataset_cap_fen", r.DatasetCapFen, false);
        NonNegative("unit_cap_fen", r.UnitCapFen, false);
        NonNegative("min_files", r.MinFiles, true);
        NonNegative("min_bytes", r.MinBytes, true);
        NonNegative("min_versions_in_period", r.MinVersionsInPeriod, true);
        NonNegative("min_paying_consumers", r.MinPayingConsumers, true);
        NonNegative("min_rows", r.MinRows, false);
        if (r.MinCompletenessBasisPoints is < 0 or > 10000)
        {
            v.Add("min_completeness_basis_points", "must be between 0 and 10000 (9500 = 95 % of cells not null)");
        }

        if (r.CapScope is not (CapScopes.PerPeriod or CapScopes.Lifetime))
        {
            v.Add("cap_scope", "must be per_period or lifetime");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var row = await store.CreatePolicyAsync(new RewardStore.PolicyRow(Guid.CreateVersion7(now), name, rate, r.DatasetCapFen ?? 10_000_000, r.UnitCapFen ?? 20_000_000,
            r.CapScope!, r.MinFiles!.Value, r.MinBytes!.Value, r.MinVersionsInPeriod!.Value, r.MinPayingConsumers!.Value, http.User.OrganizationId(), now.UtcDateTime,
            r.MinRows, r.MinCompletenessBasisPoints, r.RequireListingCertificate ?? false), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/reward-policies/{row.Id}", View(row));
    }

    private static async Task<Results<Ok<RewardPolicyView>, ProblemHttpResult>> GetPolicy(string id, RewardStore store, CancellationToken ct)
    {
        var row = Guid.TryParse(id, out var g) ? await store.FindPolicyAsync(g, ct) : null;
        return row is null ? Problem.NotFound(ProblemCodes.RewardPolicyNotFound, "Reward policy not found") : TypedResults.Ok(View(row));
    }

    private static async Task<Results<Ok<Page<RewardPolicyView>>, ProblemHttpResult>> ListPolicies(
        RewardStore store, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ListPoliciesAsync(after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, View, p => Paging.CursorFor(p.Id)));
    }

    private static async Task<Results<Ok<Page<RewardRunSummary>>, ProblemHttpResult>> ListRuns(
        HttpContext http, RewardStore store, CancellationToken ct,
        [FromQuery] string? status = null, [FromQuery] int? year = null, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (status is not (null or RewardRunStatuses.Draft or RewardRunStatuses.Approved or RewardRunStatuses.Superseded))
        {
            v.Add("status", "must be draft, approved or superseded");
        }

        if (year is not (null or (>= 2000 and <= 9999)))
        {
            v.Add("year", "must be a calendar year from 2000 to 9999, e.g. 2025");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // The bureau sees its own runs; a source unit (without the bureau role) its lines of approved runs.
        var asUnit = !http.User.HasRole(Roles.DataBureau);
        var rows = await store.ListRunsAsync(http.User.OrganizationId(), asUnit, status, year, after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => new RewardRunSummary(
            r.Id.ToString(), r.PolicyId.ToString(), r.PeriodFrom, r.PeriodTo, r.Status, r.ContentSha256, r.TotalFen, r.UnitsInProgramme,
            Timestamps.Utc(r.CreatedAt), r.ApprovedAt is { } a ? Timestamps.Utc(a) : null, r.Supersedes?.ToString()), r => Paging.CursorFor(r.Id)));
    }

    private static async Task<Results<Created<RewardRun>, ProblemHttpResult>> CreateRun(
        CreateRewardRunRequest r, HttpContext http, RewardStore store, TimeProvider clock, CancellationToken ct)
    {
        var policy = Guid.TryParse(r.PolicyId, out var pid) ? await store.FindPolicyAsync(pid, ct) : null;
        if (policy is null)
        {
            return r.PolicyId is null ? new Validation().Add("policy_id", "is required").ToProblem() : Problem.NotFound(ProblemCodes.RewardPolicyNotFound, "Reward policy not found");
        }

        var now = clock.GetUtcNow();
        var lastYear = DataSpace.Usage.ReportingPeriods.DateOf(now).Year - 1;
        var from = r.PeriodFrom ?? new DateOnly(lastYear, 1, 1);
        var to = r.PeriodTo ?? new DateOnly(lastYear, 12, 31);
        var dates = new Validation();
        if (!Http.Dates.Check(r.PeriodFrom, "period_from", dates) | !Http.Dates.Check(r.PeriodTo, "period_to", dates))
        {
            return dates.ToProblem();
        }

        if (to < from || to.DayNumber - from.DayNumber > 3660)
        {
            return new Validation().Add("period_to", "must not be before period_from, and the period at most ten years").ToProblem();
        }

        var started = clock.GetTimestamp();
        var inputs = await store.GatherAsync(http.User.OrganizationId(), from, to, now, policy.CapScope == CapScopes.Lifetime, policy.UsesProfiles, policy.RequireListingCertificate, ct);
        var gathered = clock.GetTimestamp();
        var result = RewardCalculator.Compute(policy.ToPolicy(), inputs.Datasets, inputs.PaidByUnit);
        var lines = new List<RewardStore.ComputedLine>(result.Lines.Count);
        foreach (var l in result.Lines)
        {
            lines.Add(new RewardStore.ComputedLine(l, inputs.Units[l.UnitId].Name, inputs.Titles[l.DatasetId]));
        }

        var units = result.Units.Select(u => new RewardRunUnit(
            u.UnitId.ToString(), inputs.Units[u.UnitId].Name, u.UnitCapRemainingFen, u.RequestedFen, u.RewardFen, u.UnitCapApplied, inputs.Units[u.UnitId].CreditCode)).ToList();
        var id = Guid.CreateVersion7(now);
        var row = new RewardStore.RunRow(id, policy.Id, from, to, "draft", null, null, result.TotalFen,
            inputs.UnitsInProgramme, inputs.UnitsNotConsenting, http.User.OrganizationId(), now.UtcDateTime, null, null, null, null, lines.Count);
        var computed = clock.GetTimestamp();
        var sha256 = await store.CreateRunAsync(row, lines, units, inputs.ConsentByUnit, AuditActor.From(http), ct);
        // Where a run's time went (W3C Server-Timing), for the bureau's tools and the bench: reading the inputs, the
        // calculator, writing the lines, hash and audit events.
        http.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
            $"gather;dur={clock.GetElapsedTime(started, gathered).TotalMilliseconds:0.#}, compute;dur={clock.GetElapsedTime(gathered, computed).TotalMilliseconds:0.#}, store;dur={clock.GetElapsedTime(computed).TotalMilliseconds:0.#}");
        // The summary and the units; the lines (100,000 in a city's run) are read a page at a time, or exported.
        return TypedResults.Created($"/v1/reward-runs/{id}", ToContract(row with { ComputedSha256 = sha256 }, units, null));
    }

    /// <param name="unitLineCount">For a unit's view: how many of the lines are its own.</param>
    private static RewardRun ToContract(RewardStore.RunRow run, IReadOnlyList<RewardRunUnit> units, Guid? onlyUnit, int unitLineCount = 0)
    {
        var self = $"/v1/reward-runs/{run.Id}";
        return new RewardRun
        {
            Id = run.Id.ToString(), PolicyId = run.PolicyId.ToString(), PeriodFrom = run.PeriodFrom, PeriodTo = run.PeriodTo, Status = run.Status,
            ContentSha256 = run.ContentSha256, ApprovedAt = run.ApprovedAt is { } a ? Timestamps.Utc(a) : null,
            Supersedes = run.Supersedes?.ToString(), SupersedeReason = run.SupersedeReason,
            UnitsInProgramme = run.UnitsInProgramme, UnitsNotConsenting = run.UnitsNotConsenting,
            TotalFen = onlyUnit is null ? run.TotalFen : units.Sum(u => u.RewardFen),
            LineCount = onlyUnit is null ? run.LineCount : unitLineCount,
            LinesUrl = self + "/lines",
            Exports = onlyUnit is null
                ? ExportFormats.ToDictionary(f => f, f => $"{self}/export?format={f}")
                : new Dictionary<string, string>(),
            Units = units,
        };
    }

    private static readonly string[] ExportFormats = ["csv", "xlsx", "parquet", "json", "jsonl"];

    /// <summary>The run as the caller may see it: all of it for the bureau that computed it, a unit's own part of an approved run.</summary>
    private static async Task<(RewardStore.RunRow? Run, Guid? OnlyUnit)> VisibleRunAsync(string id, HttpContext http, RewardStore store, CancellationToken ct)
    {
        var run = Guid.TryParse(id, out var g) ? await store.FindRunAsync(g, ct) : null;
        var me = http.User.OrganizationId();
        if (run is not null && run.CreatedBy == me)
        {
            return (run, null);
        }

        // A unit reads its own lines of approved runs only; drafts are the bureau's working papers.
        return run is not null && run.Status == RewardRunStatuses.Approved && http.User.HasRole(Roles.SourceUnit) ? (run, me) : (null, null);
    }

    private static ProblemHttpResult RunNotFound(string id) =>
        Problem.NotFound(ProblemCodes.RewardRunNotFound, "Reward run not found", $"No reward run with id '{id}' is visible to you.");

    private static async Task<Results<Ok<RewardRun>, ProblemHttpResult>> GetRun(string id, HttpContext http, RewardStore store, CancellationToken ct)
    {
        var (run, onlyUnit) = await VisibleRunAsync(id, http, store, ct);
        if (run is null)
        {
            return RunNotFound(id);
        }

        var units = await store.UnitsAsync(run.Id, onlyUnit, ct);
        return TypedResults.Ok(ToContract(run, units, onlyUnit, onlyUnit is { } unit ? await store.LineCountAsync(run.Id, unit, ct) : 0));
    }

    private static async Task<Results<Ok<Page<RewardRunLine>>, ProblemHttpResult>> GetLines(
        string id, HttpContext http, RewardStore store, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null,
        [FromQuery] string? unit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.ReadNumeric(cursor, limit, v);
        Guid? unitFilter = null;
        if (unit is not null)
        {
            if (Guid.TryParse(unit, out var u))
            {
                unitFilter = u;
            }
            else
            {
                v.Add("unit", "must be the id of a unit (an organisation id)");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (run, onlyUnit) = await VisibleRunAsync(id, http, store, ct);
        if (run is null)
        {
            return RunNotFound(id);
        }

        // A unit's own view is already its lines: asking for another unit's gives an empty page, never that unit's lines.
        if (unitFilter is { } only && onlyUnit is { } self && only != self)
        {
            return TypedResults.Ok(new Page<RewardRunLine>([], null));
        }

        onlyUnit ??= unitFilter;

        // Cursors are positions + 1, so that the first line (position 0) has a positive cursor like every other list's.
        var page = await store.LinesAsync(run.Id, onlyUnit, (int)Math.Min(int.MaxValue, (after ?? 0) - 1), size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(page, size, p => p.Line, p => Paging.CursorFor(p.Position + 1L)));
    }

    private static async Task<Results<Ok<RewardRun>, ProblemHttpResult>> Approve(
        string id, ApproveRewardRunRequest body, HttpContext http, RewardStore store, TimeProvider clock, CancellationToken ct)
    {
        var run = Guid.TryParse(id, out var g) ? await store.FindRunAsync(g, ct) : null;
        if (run is null || run.CreatedBy != http.User.OrganizationId())
        {
            return Problem.NotFound(ProblemCodes.RewardRunNotFound, "Reward run not found");
        }

        var (outcome, overlapping) = await store.ApproveAsync(run.Id, body.SupersedeReason?.Trim(), clock.GetUtcNow(), AuditActor.From(http), ct);
        return outcome switch
        {
            RewardStore.ApproveOutcome.NotDraft => Problem.Conflict(ProblemCodes.RewardRunNotDraft, "The run is not a draft", $"It is {run.Status}."),
            RewardStore.ApproveOutcome.Overlaps => Problem.Conflict(ProblemCodes.RewardRunOverlaps, "An approved run already covers part of this period",
                $"Run {overlapping} is approved for an overlapping period. Give supersede_reason to replace it."),
            _ => TypedResults.Ok(ToContract((await store.FindRunAsync(run.Id, ct))!, await store.UnitsAsync(run.Id, null, ct), null)),
        };
    }

    private static async Task<IResult> Export(string id, HttpContext http, RewardStore store, CancellationToken ct, [FromQuery] string? format = null)
    {
        var run = Guid.TryParse(id, out var g) ? await store.FindRunAsync(g, ct) : null;
        if (run is null || run.CreatedBy != http.User.OrganizationId())
        {
            return Problem.NotFound(ProblemCodes.RewardRunNotFound, "Reward run not found");
        }

        if (format is null || !ExportFormats.Contains(format))
        {
            return new Validation().Add("format", $"must be one of {string.Join(", ", ExportFormats)}").ToProblem();
        }

        var policy = (await store.FindPolicyAsync(run.PolicyId, ct))!;
        var units = await store.UnitsAsync(run.Id, null, ct);
        var name = $"reward-run-{run.PeriodFrom:yyyyMMdd}-{run.PeriodTo:yyyyMMdd}-{run.Status}.{format}";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        if (format is "json" or "jsonl")
        {
            // Streamed from the lines' rows as they are read: a run of 100,000 lines is never in memory as a whole.
            return TypedResults.Stream(stream => format == "json"
                ? WriteJsonAsync(ToContract(run, units, null), store.AllLinesAsync(run.Id, ct), stream, ct)
                : WriteJsonLinesAsync(RewardStore.HeaderOf(run, units.Count), units, store.AllLinesAsync(run.Id, ct), stream, ct),
                format == "json" ? "application/json" : "application/jsonl");
        }

        var export = await ExportOfAsync(run, policy, units, store, ct);
        if (format == "csv")
        {
            return TypedResults.File(RewardCsv.Write(export), "text/csv; charset=utf-8");
        }

        return format == "parquet"
            ? TypedResults.Stream(stream => RewardParquet.WriteAsync(export, stream, ct), DataSpace.Parquet.ParquetWriter.MediaType)
            : TypedResults.Stream(stream => RewardXlsx.WriteAsync(export, stream, ct), RewardXlsx.ContentType);
    }

    /// <summary>The json export: <c>{"run": summary with units, "lines": [...]}</c>, written as the lines are read.</summary>
    private static async Task WriteJsonAsync(RewardRun run, IAsyncEnumerable<RewardRunLine> lines, Stream body, CancellationToken ct)
    {
        // Through a PipeWriter: the serializer's own flushes then only hand over buffers, and the bytes go out asynchronously.
        var pipe = System.IO.Pipelines.PipeWriter.Create(body, new System.IO.Pipelines.StreamPipeWriterOptions(leaveOpen: true));
        await using (var writer = new Utf8JsonWriter(pipe, RewardRunContent.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("run");
            JsonSerializer.Serialize(writer, run, Json.Options);
            writer.WriteStartArray("lines");
            await foreach (var line in lines)
            {
                JsonSerializer.Serialize(writer, line, Json.Options);
                if (pipe.UnflushedBytes > 64 * 1024)
                {
                    await pipe.FlushAsync(ct);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await pipe.CompleteAsync();
    }

    /// <summary>The jsonl export: the run's canonical content, byte for byte what its content_sha256 covers.</summary>
    private static async Task WriteJsonLinesAsync(
        RewardRunContent.Header header, IReadOnlyList<RewardRunUnit> units, IAsyncEnumerable<RewardRunLine> lines, Stream body, CancellationToken ct)
    {
        using var content = new RewardRunContent();
        await body.WriteAsync(content.Add(header), ct);
        await foreach (var line in lines)
        {
            await body.WriteAsync(content.Add(line), ct);
        }

        foreach (var unit in units)
        {
            await body.WriteAsync(content.Add(unit), ct);
        }
    }

    private static async Task<RewardRunExport> ExportOfAsync(
        RewardStore.RunRow run, RewardStore.PolicyRow policy, IReadOnlyList<RewardRunUnit> units, RewardStore store, CancellationToken ct)
    {
        var codes = units.ToDictionary(u => u.UnitId, u => u.UnitCreditCode);
        var lines = new List<RewardExportLine>(run.LineCount);
        await foreach (var l in store.AllLinesAsync(run.Id, ct))
        {
            lines.Add(new RewardExportLine(l.UnitId, l.UnitName, codes.GetValueOrDefault(l.UnitId, ""), l.DatasetId, l.DatasetTitle, l.RevenueFen, l.Qualified,
                string.Join("；", l.Criteria.Select(c => $"{c.Criterion} {c.Evidence}/{c.Threshold} {c.ReasonCode}{(c.CertificateNumber is { } n ? " " + n : "")}")), l.RewardBeforeCapsFen, l.AfterDatasetCapFen, l.RewardFen, l.ReasonCode));
        }

        return new RewardRunExport(run.Id.ToString(), run.PeriodFrom, run.PeriodTo, run.Status, run.ContentSha256, run.ApprovedAt is { } a ? Timestamps.Utc(a) : null,
            policy.Id.ToString(), policy.RateBasisPoints, policy.DatasetCapFen, policy.UnitCapFen, policy.CapScope, lines,
            [.. units.Select(u => new RewardExportUnit(u.UnitId, u.UnitName, u.UnitCreditCode, u.RequestedFen, u.RewardFen, u.UnitCapApplied))],
            run.TotalFen, run.UnitsInProgramme, run.UnitsNotConsenting);
    }
}

/// <summary>A calculator's criterion as the contract gives it (computed lines and stored lines read back alike).</summary>
internal static class RewardCriteriaContract
{
    public static RewardCriterion Of(CriterionResult c) => new(c.Criterion, c.Evidence, c.Threshold, c.Passed, c.ReasonCode, c.Reference);
}

/// <summary>The CSV a bureau clerk opens in Excel or WPS: UTF-8 with BOM, CRLF, quoted as RFC 4180, yuan with two decimals.</summary>
internal static class RewardCsv
{
    public static byte[] Write(RewardRunExport run)
    {
        var csv = new StringBuilder();
        void Row(params string[] cells) => csv.Append(string.Join(',', cells.Select(Csv.Cell))).Append("\r\n");

        Row("中山市人工智能赋能平台 语料奖励清单");
        Row("期间", $"{run.PeriodFrom:yyyy-MM-dd} 至 {run.PeriodTo:yyyy-MM-dd}");
        Row("状态", run.Status);
        Row("内容哈希", run.ContentSha256 ?? "（草稿，未冻结）");
        Row("政策", run.PolicyId);
        Row("比例", $"{run.RateBasisPoints / 100}.{run.RateBasisPoints % 100:00}%");
        Row("单数据集上限（元）", Yuan.Format(run.DatasetCapFen));
        Row("单位上限（元）", Yuan.Format(run.UnitCapFen));
        Row("参与单位", run.UnitsInProgramme.ToString(CultureInfo.InvariantCulture));
        Row("未授权单位", run.UnitsNotConsenting.ToString(CultureInfo.InvariantCulture));
        Row();
        Row("单位名称", "统一社会信用代码", "数据集", "数据集编号", "收入（元）", "是否达标", "达标情况", "奖励（封顶前，元）", "数据集封顶后（元）", "奖励（元）", "说明");
        foreach (var l in run.Lines)
        {
            Row(l.UnitName, l.UnitCreditCode, l.DatasetTitle, l.DatasetId, Yuan.Format(l.RevenueFen), l.Qualified ? "是" : "否", l.CriteriaSummary,
                Yuan.Format(l.BeforeCapsFen), Yuan.Format(l.AfterDatasetCapFen), Yuan.Format(l.RewardFen), l.ReasonCode);
        }

        Row();
        Row("单位名称", "统一社会信用代码", "申报合计（元）", "奖励合计（元）", "是否触及单位上限");
        foreach (var u in run.Units)
        {
            Row(u.UnitName, u.UnitCreditCode, Yuan.Format(u.RequestedFen), Yuan.Format(u.RewardFen), u.UnitCapApplied ? "是" : "否");
        }

        Row("合计", "", "", Yuan.Format(run.TotalFen));
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }
}
