using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DataSpace.Bench;

/// <summary>
/// The final table of ./dataspace bench: each scenario beside the machine's own limit measured in the same run, their
/// ratio and the issue's aim (issues 3, 4, 5 and 7), then the notes. It asserts nothing: the aims are for the reader.
/// </summary>
internal static class Report
{
    private const string QueryZh = "灯饰";
    private const string QueryEn = "inspection";
    private static readonly int[] Widths = [46, 17, 40, 6, 22];

    /// <summary>The text for stdout; replaces the results' document with the report's (settings, rows, figures, notes).</summary>
    public static string Render(ResultsFile results, string file, ReportSettings settings, TimeProvider time)
    {
        var table = new Table();
        string? F(string key) => results.Figure(key) is { Length: > 0 } value ? value : null;

        var size = settings.SizeMib == 1024 ? "1 GiB" : $"{settings.SizeMib} MiB";
        var runs = $"median of {settings.Runs}" + (F("up_az_run_count") is { } azRuns ? $" (Azurite: {azRuns})" : "");
        var rangeRequests = F("range_requests") ?? "?";

        table.Line("scenario", "DataSpace", "machine limit (same run)", "ratio", "aim (issues 3-5)");
        table.Line([.. Widths.Select(w => new string('-', w))]);
        table.Row($"upload {size}, filesystem store", "MB/s", F("up_fs_mbps"), F("raw_write_mbps"), "dd bs=8M conv=fsync",
            Ratio(F("up_fs_mbps"), F("raw_write_mbps")), "≥ 0.5 of raw write");
        if (settings.AzuriteRow)
        {
            table.Row($"upload {size}, Azurite store", "MB/s", F("up_az_mbps"), F("raw_write_mbps"), "dd bs=8M conv=fsync",
                Ratio(F("up_az_mbps"), F("raw_write_mbps")), "(context, emulator)");
        }

        table.Row("  peak RSS growth during upload (fs)", "MB", F("up_fs_rss_mb"), null, null, null, "< 100 MB");
        if (settings.AzuriteRow)
        {
            table.Row("  peak RSS growth during upload (Azurite)", "MB", F("up_az_rss_mb"), null, null, null, "< 100 MB");
        }

        table.Row($"download {size}, full GET", "MB/s", F("dl_full_api_mbps"), F("dl_full_bare_mbps"), "bare Results.File",
            Ratio(F("dl_full_api_mbps"), F("dl_full_bare_mbps")), "≥ 0.7 of bare");
        table.Row("  peak RSS growth during full GET", "MB", F("dl_full_api_rss_mb"), F("dl_full_bare_rss_mb"), "bare Results.File", null, "< 100 MB");
        table.Row($"download {size}, {rangeRequests} × 8 MiB ranges", "MB/s", F("dl_rng_api_mbps"), F("dl_rng_bare_mbps"), "bare Results.File",
            Ratio(F("dl_rng_api_mbps"), F("dl_rng_bare_mbps")), null);
        table.Row("  peak RSS growth during ranges", "MB", F("dl_rng_api_rss_mb"), F("dl_rng_bare_rss_mb"), "bare Results.File", null, "< 100 MB");

        var catalogReads = new[] { ("list", "catalog ?limit=20"), ("zh", $"catalog ?q={QueryZh}&limit=20"), ("en", $"catalog ?q={QueryEn}&limit=20") };
        foreach (var (name, label) in catalogReads)
        {
            var rps = F($"cat_{name}_rps");
            table.Row(label, "req/s", rps, F("cat_select1_rps"), "GET /bench/select1", Ratio(rps, F("cat_select1_rps")), "≥ 0.5 of select 1");
            table.Row("  p99 latency", "ms", F($"cat_{name}_p99"), F("cat_select1_p99"), "select 1", null, "≤ 20 ms");
            table.Row("  p50 latency", "ms", F($"cat_{name}_p50"), F("cat_select1_p50"), "select 1", null, null);
        }

        // Issue 15: the same reads over the larger catalog, beside select 1 measured again in that phase and beside the
        // figures of the smaller catalog (the aim: within 1.25x, i.e. req/s ratio >= 0.8 and p99 ratio <= 1.25).
        if (F("cat1m_datasets") is { } large)
        {
            foreach (var (name, label) in catalogReads)
            {
                var rps = F($"cat1m_{name}_rps");
                table.Row($"{label}, {large} datasets", "req/s", rps, F("cat1m_select1_rps"), "GET /bench/select1",
                    Ratio(rps, F("cat1m_select1_rps")), "≥ 0.5 of select 1");
                table.Row($"  vs {F("cat_datasets") ?? "?"} datasets", "req/s", rps, F($"cat_{name}_rps"), "smaller catalog",
                    Ratio(rps, F($"cat_{name}_rps")), "≥ 0.8 of smaller");
                table.Row("  p99 latency", "ms", F($"cat1m_{name}_p99"), F($"cat_{name}_p99"), "smaller catalog",
                    Ratio(F($"cat1m_{name}_p99"), F($"cat_{name}_p99")), "≤ 1.25× smaller");
            }
        }

        table.Row("authority reads through the consent gate", "req/s", F("cons_authority_rps"), F("cons_owner_rps"), "owner's own listing",
            Ratio(F("cons_authority_rps"), F("cons_owner_rps")), "≥ 0.9 of owner (issue 15)");
        table.Row("  p99 latency", "ms", F("cons_authority_p99"), F("cons_owner_p99"), "owner", null, null);
        table.Row("  p50 latency", "ms", F("cons_authority_p50"), F("cons_owner_p50"), "owner", null, null);
        table.Row($"audit appends, {settings.Connections} concurrent writers", "events/s", F("cons_audit_events_per_s"), F("cons_sql_append_tps"),
            "SQL append, pgbench", Ratio(F("cons_audit_events_per_s"), F("cons_sql_append_tps")), null);
        var chain = F("cons_audit_valid") switch
        {
            null => "  audit chain after the load: not checked",
            "true" => "  audit chain after the load: valid",
            _ => "  audit chain after the load: NOT VALID",
        };
        table.Row(chain, "events", F("cons_audit_length"), null, null, null, "valid");
        table.Row($"audit appends, {F("aud_writers") ?? settings.Connections.ToString(CultureInfo.InvariantCulture)} writers in as many organisations", "events/s",
            F("aud_events_per_s"), F("cons_sql_append_tps"), "SQL append, pgbench", Ratio(F("aud_events_per_s"), F("cons_sql_append_tps")), "≥ 3× one global lock");
        table.Row("  p99 latency", "ms", F("aud_p99"), null, null, null, null);
        var writersChain = F("aud_valid") switch
        {
            null => "  audit chain after the writers: not checked",
            "true" => "  audit chain after the writers: valid",
            _ => "  audit chain after the writers: NOT VALID",
        };
        table.Row(writersChain, "events", F("aud_events"), null, null, null, "valid");

        var rewardDatasets = F("rew_datasets");
        var rewardLabel = rewardDatasets is not null && rewardDatasets != "100000"
            ? $"reward run ({rewardDatasets} datasets)"
            : "reward run (2k units, 100k datasets, 1M rows)";
        table.Row(rewardLabel, "s", F("rew_api_seconds"), F("rew_sql_seconds"), "SQL sum … group by dataset (jit off, as the API)",
            Ratio(F("rew_api_seconds"), F("rew_sql_seconds")), "≤ 2× the SQL (ratio, issue 15)");
        table.Row("  lines in the run", "lines", F("rew_run_lines"), F("rew_sql_rows"), "datasets summed by the SQL", null, rewardDatasets ?? "100000");
        table.Row("  total reward (default rate 10 %)", "fen", F("rew_run_total_fen"), F("rew_revenue_fen"), "revenue in 2026",
            Ratio(F("rew_run_total_fen"), F("rew_revenue_fen")), null);

        // Issue 13's aims: ≥ 1.5× DuckDB's rows/s at the exports' 65,536-row groups, ≥ 1.2× at 1,000,000, peak RSS ≤ DuckDB's.
        foreach (var (key, groups, aim) in new[] { ("pq64k", "65,536", "≥ 1.5× DuckDB"), ("pq", "1,000,000", "≥ 1.2× DuckDB") })
        {
            table.Row($"Parquet write, {F("pq_rows") ?? "?"} rows, {groups}-row groups (snappy)", "rows/s", F($"{key}_ours_rps"), F($"{key}_duck_rps"),
                "DuckDB COPY TO parquet", Ratio(F($"{key}_ours_rps"), F($"{key}_duck_rps")), aim);
            table.Row("  peak RSS of the writing process", "MB", F($"{key}_ours_rss_mb"), F($"{key}_duck_rss_mb"), "DuckDB (node)",
                Ratio(F($"{key}_ours_rss_mb"), F($"{key}_duck_rss_mb")), "≤ DuckDB's (ratio ≤ 1)");
            table.Row("  file size", "bytes", F($"{key}_ours_bytes"), F($"{key}_duck_bytes"), "DuckDB", null, null);
            // The design card's library, watched: the day its string statistics pass, DEPENDENCIES.md is to be revisited.
            table.Row("  Parquet.Net 6.1.0 on the same rows", "rows/s", F($"{key}_ours_rps"), F($"{key}_pnet_rps"),
                $"Parquet.Net (RSS {F($"{key}_pnet_rss_mb") ?? "?"} MB, {F($"{key}_pnet_bytes") ?? "?"} bytes)", Ratio(F($"{key}_ours_rps"), F($"{key}_pnet_rps")), null);
        }

        table.Row("  string statistics in UTF-8 order, U+20000 beside U+FF0C", "", Table.NoFigure, F("pq_pnet_stats"),
            "Parquet.Net; ours: StringStatisticsOracleTests", null, "true: then revisit DEPENDENCIES.md");
        if (F("prof_seconds") is not null)
        {
            table.Row($"profile a {F("prof_mib") ?? "?"} MiB CSV (background, on commit)", "MB/s", F("prof_mbps"), F("prof_duck_mbps"),
                "DuckDB SUMMARIZE read_csv", Ratio(F("prof_mbps"), F("prof_duck_mbps")), "≥ 0.5 of DuckDB");
            table.Row("  peak memory: API's RSS growth / DuckDB's peak RSS", "MB", F("prof_rss_mb"), F("prof_duck_rss_mb"), "DuckDB (node)",
                null, "bounded");
            table.Row("  the same CSV, read raw", "MB/s", F("prof_mbps"), F("prof_raw_mbps"),
                "dd of=/dev/null (page cache)", Ratio(F("prof_mbps"), F("prof_raw_mbps")), null);
            table.Row("  the same CSV, counted by wc -l", "MB/s", F("prof_mbps"), F("prof_scan_mbps"), "wc -l (page cache)",
                Ratio(F("prof_mbps"), F("prof_scan_mbps")), null);
        }

        table.Row("context: token + 1 query (/organizations/me)", "req/s", F("cat_me_rps"), F("cat_select1_rps"), "GET /bench/select1",
            Ratio(F("cat_me_rps"), F("cat_select1_rps")), null);
        table.Row("context: Kestrel, no database (/health/live)", "req/s", F("cat_live_rps"), null, null, null, null);
        table.Row("context: SHA-256, one core, 8 KiB blocks", "MB/s", Table.NoFigure, F("ctx_sha256_mbps"), "openssl speed", null, null);
        table.Row($"context: read {size} from page cache", "MB/s", Table.NoFigure, F("ctx_cache_read_mbps"), "dd of=/dev/null bs=8M", null, null);

        var answered = Whole(F("cons_authority_requests")) - Whole(F("cons_authority_errors"));
        var text = new StringBuilder();
        text.Append('\n')
            .Append(CultureInfo.InvariantCulture,
                $"DataSpace bench: {F("machine_cpu") ?? "?"}, {F("machine_cpus") ?? "?"} CPUs, {F("machine_mem_gib") ?? "?"} GiB RAM, {F("machine_kernel") ?? "?"}, {F("machine_fs") ?? "?"}; .NET SDK {F("machine_dotnet") ?? "?"}, PostgreSQL {F("machine_postgres") ?? "?"}\n")
            .Append(CultureInfo.InvariantCulture,
                $"Load average before the bench started: {(settings.LoadBefore.Length > 0 ? settings.LoadBefore : "?")} (others' work on the machine skews every figure).\n")
            .Append("API: Release build, ASPNETCORE_ENVIRONMENT=Production, Logging:LogLevel Default and Microsoft.AspNetCore.Hosting.Diagnostics\n")
            .Append("     at Warning (no per-request log lines). Client and server share the 2 cores; traffic on 127.0.0.1 only.\n")
            .Append(CultureInfo.InvariantCulture,
                $"Transfers: {runs}, {size} random bytes, MB = 10^6 bytes, wall time of one curl process each; the file is in the page\n")
            .Append("     cache for both sides. RSS growth = peak VmHWM (after clear_refs 5) minus VmRSS before, worst of the runs.\n")
            .Append(CultureInfo.InvariantCulture,
                $"Catalog: {F("cat_datasets") ?? "?"} published datasets (q={QueryZh} matches {F("cat_zh_matches") ?? "?"}, q={QueryEn} matches {F("cat_en_matches") ?? "?"}), wrk -t2 -c{settings.Connections} -d{settings.DurationSeconds}s --timeout 10s --latency after\n")
            .Append("     a 3 s warm-up; catalog requests carry a bearer token (validated through the coherent token cache), the select 1\n")
            .Append("     baseline is anonymous.")
            .Append(CultureInfo.InvariantCulture,
                $" Larger catalog: grown to {F("cat1m_datasets") ?? "(not run)"} published datasets by SQL in {F("cat1m_seed_seconds") ?? "?"} s (q={QueryZh} matches {F("cat1m_zh_matches") ?? "?"}, q={QueryEn} {F("cat1m_en_matches") ?? "?"}).\n")
            .Append("Consent: the demo source unit grants the demo authority a consent (POST /v1/consents, all datasets); the same wrk on\n")
            .Append("     GET /v1/authority/units/{unit}/datasets?limit=20 (authority) and GET /v1/datasets?owner={unit}&limit=20 (owner).\n")
            .Append("     Every authority read also appends one audit event and waits until it is durable; concurrent reads share a\n     group commit (one advisory lock and WAL flush per batch);\n")
            .Append("     that is part of what is measured. Events/s = rows added to audit_events during the authority run / its wall\n")
            .Append(CultureInfo.InvariantCulture,
                $"     time ({F("cons_authority_audit_events") ?? "?"} rows for {answered} answered reads; owner run: {F("cons_owner_audit_events") ?? "?"} rows). SQL baseline: pgbench -c{settings.Connections}, lock + read head +\n")
            .Append("     insert + commit in a scratch database. Chain checked afterwards with GET /v1/audit/verify.\n")
            .Append(CultureInfo.InvariantCulture,
                $"Rewards: {F("rew_units") ?? "?"} units, {rewardDatasets ?? "?"} paid datasets, {F("rew_entries") ?? "?"} orders and ledger entries and {F("rew_units") ?? "?"} consents to the demo bureau seeded with\n")
            .Append(CultureInfo.InvariantCulture,
                $"     SQL into the API's database ({F("rew_seed_seconds") ?? "?"} s); wall time of POST /v1/reward-runs for 2026 (curl, median of {F("rew_api_run_count") ?? "?"}; each\n")
            .Append("     makes a draft run) beside psql -c of the same ledger rows summed per dataset (median of the runs, in turn).\n")
            .Append("     Ratio = API seconds / SQL seconds: lower is better. Revenue and paying consumers come from the running totals the\n")
            .Append("     ledger's triggers keep (one row per dataset for a year); the SQL baseline sums the ledger itself.\n")
            .Append(CultureInfo.InvariantCulture, $"     The API's own split (Server-Timing), run by run: {F("rew_api_timing") ?? "?"}\n")
            .Append("Parquet: bench/parquet (DataSpace.Parquet, snappy, dictionary, one thread) and tools/parquet-bench-duckdb.mjs (DuckDB COPY,\n")
            .Append(CultureInfo.InvariantCulture,
                $"     snappy - DuckDB's default codec - ROW_GROUP_SIZE as ours, its default threads) write the same {F("pq_rows") ?? "?"}-row usage-event shape\n")
            .Append(CultureInfo.InvariantCulture,
                $"     to the same disk, each in its own process, in turn, median of {F("pq_run_count") ?? "?"} runs; rows/s over the writing only; peak RSS is each\n")
            .Append("     process's VmHWM.\n")
            .Append(CultureInfo.InvariantCulture,
                $"     Run by run (each ours then DuckDB, in turn), ours/DuckDB rows/s: 65,536-row groups {RunRatios(F("pq64k_ours_rps_runs"), F("pq64k_duck_rps_runs"))}; 1,000,000 {RunRatios(F("pq_ours_rps_runs"), F("pq_duck_rps_runs"))}.\n")
            .Append("Profile: the API's own duration_ms of the commit's background profile (one run) beside DuckDB's SUMMARIZE of the same\n")
            .Append("     stored file (tools/csv-summarize-duckdb.mjs, its own process, default threads, median of up to 3), MB = 10^6 bytes.\n\n")
            .Append(table.Text);

        var notes = results.Notes.Select(note => note?.GetValue<string>() ?? "").ToList();
        if (settings.FailedPhases.Length > 0)
        {
            var failed = $"phases that failed (their rows show n/a): {settings.FailedPhases}";
            if (!notes.Contains(failed))
            {
                notes.Add(failed);
            }
        }

        if (notes.Count > 0)
        {
            text.Append("\nNotes:\n");
            foreach (var note in notes)
            {
                text.Append("  - ").Append(note).Append('\n');
            }
        }

        var now = time.GetUtcNow();
        var totalSeconds = settings.StartedAtUnixSeconds is { } started ? now.ToUnixTimeSeconds() - started : 0;
        var figures = results.Figures;
        results.Root.Remove("figures");
        results.Replace(new JsonObject
        {
            ["generated_at"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["settings"] = new JsonObject
            {
                ["file_bytes"] = ResultsFile.Typed(F("source_bytes") ?? ""),
                ["runs"] = settings.Runs,
                ["wrk_connections"] = settings.Connections,
                ["wrk_threads"] = 2,
                ["wrk_seconds"] = settings.DurationSeconds,
                ["datasets"] = ResultsFile.Typed(F("cat_datasets") ?? ""),
                ["load_average_before"] = settings.LoadBefore,
                ["api"] = "Release, ASPNETCORE_ENVIRONMENT=Production, log level Warning",
                ["mb"] = "10^6 bytes",
                ["total_seconds"] = totalSeconds,
            },
            ["rows"] = table.Json,
            ["figures"] = figures,
            ["notes"] = new JsonArray([.. notes.Select(note => JsonValue.Create(note))]),
        });

        return text.Append(CultureInfo.InvariantCulture, $"\nWritten: {settings.Shown(file)} (total {totalSeconds}s)\n").ToString();
    }

    /// <summary>awk's <c>printf "%.2f", a / b</c> when both are numbers and b &gt; 0; otherwise no ratio.</summary>
    public static string? Ratio(string? a, string? b) =>
        Numbers.Parse(a) is { } x && Numbers.Parse(b) is { } y && y > 0
            ? (x / y).ToString("F2", CultureInfo.InvariantCulture)
            : null;

    /// <summary>The ratio of each run's pair, "a/b" for lists of runs recorded in turn; "?" when there are none.</summary>
    private static string RunRatios(string? ours, string? baseline)
    {
        var a = (ours ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = (baseline ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ratios = a.Zip(b, Ratio).Where(r => r is not null).ToList();
        return ratios.Count == 0 ? "?" : string.Join(' ', ratios);
    }

    private static long Whole(string? figure) =>
        long.TryParse(figure, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>The printed table and the same rows as JSON.</summary>
    private sealed class Table
    {
        /// <summary>A row whose DataSpace column has no such figure at all (machine-only context rows).</summary>
        public const string NoFigure = "—";

        private readonly StringBuilder _text = new();

        public string Text => _text.ToString();

        public JsonArray Json { get; } = [];

        public void Line(params string[] cells)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(" | ");
                }

                _text.Append(cells[i]);
                if (i < cells.Length - 1)
                {
                    _text.Append(' ', Math.Max(0, Widths[i] - DisplayWidth.Of(cells[i])));
                }
            }

            _text.Append('\n');
        }

        /// <summary>
        /// One scenario. <paramref name="dataSpace"/> null: not measured (n/a); <see cref="NoFigure"/>: no such figure.
        /// <paramref name="limit"/> and <paramref name="limitIs"/>: the machine's figure in the same unit and what it is.
        /// </summary>
        public void Row(string scenario, string unit, string? dataSpace, string? limit, string? limitIs, string? ratio, string? aim)
        {
            string ours;
            if (dataSpace == NoFigure)
            {
                ours = NoFigure;
                dataSpace = null;
            }
            else
            {
                ours = dataSpace is null ? "n/a" : $"{dataSpace} {unit}";
            }

            var machine = limit is not null ? $"{limit} {unit}{(limitIs is null ? "" : $" ({limitIs})")}"
                : limitIs is not null ? $"n/a ({limitIs})"
                : "—";
            Line(scenario, ours, machine, ratio ?? "—", aim ?? "—");
            Json.Add(new JsonObject
            {
                ["scenario"] = scenario,
                ["unit"] = unit,
                ["dataspace"] = Value(dataSpace),
                ["machine_limit"] = Value(limit),
                ["machine_limit_is"] = Value(limitIs),
                ["ratio"] = Value(ratio),
                ["aim"] = Value(aim),
            });
        }

        private static JsonNode? Value(string? text) =>
            text is null ? null : ResultsFile.PlainNumber().IsMatch(text) ? JsonNode.Parse(text) : JsonValue.Create(text);
    }
}
