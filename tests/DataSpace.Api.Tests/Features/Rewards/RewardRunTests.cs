using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Tests.Features.Rewards;

public sealed class RewardRunTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Today() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A paid dataset of the unit, sold (and paid) to each buyer at the price.</summary>
    private async Task<(string Dataset, List<string> Orders)> SellAsync(HttpClient unit, HttpClient op, long price, params Credentials[] buyers)
    {
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["语料.jsonl"] = "{\"text\":\"灯饰\"}\n"u8.ToArray() }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(unit, dataset, price, terms: "仅限训练。");
        var orders = new List<string>();
        foreach (var buyerOrg in buyers)
        {
            using var buyer = await api.ClientFor(buyerOrg);
            await OrderFlow.AcceptAsync(buyer, dataset, terms);
            var order = await OrderFlow.PlaceAsync(buyer, plan);
            await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = price, reference = "R-" + order }, Ct)).AssertJson();
            Assert.Equal(HttpStatusCode.OK, (await buyer.GetAsync(DatasetFlow.FileUrl(dataset, 1, "语料.jsonl"), Ct)).StatusCode);
            orders.Add(order);
        }

        return (dataset, orders);
    }

    [Fact]
    public async Task Each_unit_pages_exactly_its_own_lines_of_a_run_with_several_units()
    {
        var bureauOrg = await api.OrganizationAsync("中山市政务服务和数据管理局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var units = new List<(HttpClient Client, string Org, HashSet<string> Datasets)>();
        foreach (var count in new[] { 2, 3, 1 })
        {
            var org = await api.OrganizationAsync("分页数源单位", "source_unit");
            var client = await api.ClientFor(org);
            var datasets = new HashSet<string>();
            for (var i = 0; i < count; i++)
            {
                datasets.Add(await DatasetFlow.CreateAsync(client));
            }

            await ConsentFlow.GrantAsync(client, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"]));
            units.Add((client, org.OrganizationId, datasets));
        }

        try
        {
            var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
            {
                name = "分页", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
            }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
            var today = Today();
            var id = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
            await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{id}/approve", new { }, Ct)).AssertJson();

            var all = (await RewardFlow.LinesAsync(bureau, id)).Select(l => (Unit: l.GetProperty("unit_id").GetString()!, Dataset: l.GetProperty("dataset_id").GetString()!)).ToList();
            Assert.Equal(6, all.Count);
            foreach (var (client, org, datasets) in units)
            {
                var expected = all.Where(l => l.Unit == org).Select(l => l.Dataset).ToList();
                Assert.Equal(datasets.Order(), expected.Order());
                foreach (var limit in new[] { 1, 2, 100 })
                {
                    var mine = (await RewardFlow.LinesAsync(client, id, limit)).Select(l => l.GetProperty("dataset_id").GetString()!).ToList();
                    Assert.Equal(expected, mine); // the unit's lines, in the run's order, and no other unit's
                }

                var run = await (await client.GetAsync($"/v1/reward-runs/{id}", Ct)).AssertJson();
                Assert.Equal(datasets.Count, run.GetProperty("line_count").GetInt32());
                var listed = Assert.Single((await (await client.GetAsync("/v1/reward-runs", Ct)).AssertJson()).GetProperty("items").EnumerateArray(),
                    r => r.GetProperty("id").GetString() == id);
                Assert.Equal(0, listed.GetProperty("total_fen").GetInt64());
            }

            // Lines belong to a run that exists: a line naming none is refused, and a run with lines cannot be deleted.
            var draft = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
            await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
            var orphan = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, """
                insert into reward_run_lines (run_id, position, dataset_id, unit_id, unit_name, dataset_title, revenue_fen, files_evidence, bytes_evidence,
                                              versions_evidence, consumers_evidence, qualified, before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code)
                select gen_random_uuid(), position, dataset_id, unit_id, unit_name, dataset_title, revenue_fen, files_evidence, bytes_evidence,
                       versions_evidence, consumers_evidence, qualified, before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code
                from reward_run_lines where run_id = @id
                """, new { id = Guid.Parse(draft) }));
            Assert.Equal(Npgsql.PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);

            // One line per dataset in a run, kept without an index on (run_id, dataset_id): a run's lines arrive in one
            // statement, all of them, at positions 0 .. line_count - 1, no dataset twice.
            const string copyLines = """
                insert into reward_run_lines (run_id, position, dataset_id, unit_id, unit_name, dataset_title, revenue_fen, files_evidence, bytes_evidence,
                                              versions_evidence, consumers_evidence, qualified, before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code)
                select run_id, position + @shift, case when @sameDataset then (select min(dataset_id::text)::uuid from reward_run_lines where run_id = @id) else dataset_id end,
                       unit_id, unit_name, dataset_title, revenue_fen, files_evidence, bytes_evidence,
                       versions_evidence, consumers_evidence, qualified, before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code
                from reward_run_lines where run_id = @id and position < @upTo
                """;
            const string copyRun = """
                insert into reward_runs (id, policy_id, period_from, period_to, status, total_fen, units_in_programme, units_not_consenting, created_by, created_at, line_count)
                select @copy, policy_id, period_from, period_to, 'draft', total_fen, units_in_programme, units_not_consenting, created_by, created_at, line_count
                from reward_runs where id = @id
                """;
            var draftId = Guid.Parse(draft);
            var draftLines = await Dapper.SqlMapper.ExecuteScalarAsync<int>(conn, "select line_count from reward_runs where id = @id", new { id = draftId });
            Assert.True(draftLines >= 2, $"the draft needs two lines to test them; it has {draftLines}");
            var twice = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, copyLines,
                new { id = draftId, shift = draftLines, sameDataset = false, upTo = draftLines })); // the same datasets again, after the run's lines
            Assert.Equal(Npgsql.PostgresErrorCodes.IntegrityConstraintViolation, twice.SqlState);
            var again = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, copyLines,
                new { id = draftId, shift = 0, sameDataset = false, upTo = draftLines })); // the same lines at the same positions
            Assert.Equal(Npgsql.PostgresErrorCodes.UniqueViolation, again.SqlState);
            await conn.OpenAsync(Ct);
            await using (var tx = await conn.BeginTransactionAsync(Ct))
            {
                // A run of its own whose lines name one dataset twice: refused, though count and positions are right.
                var copy = Guid.CreateVersion7();
                await Dapper.SqlMapper.ExecuteAsync(conn, copyRun, new { copy, id = draftId }, tx);
                var sameDataset = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, copyLines.Replace("select run_id,", "select @copy,", StringComparison.Ordinal),
                    new { copy, id = draftId, shift = 0, sameDataset = true, upTo = draftLines }, tx));
                Assert.Equal(Npgsql.PostgresErrorCodes.UniqueViolation, sameDataset.SqlState);
            }

            await using (var tx = await conn.BeginTransactionAsync(Ct))
            {
                // ... and one whose lines come short of its line_count.
                var copy = Guid.CreateVersion7();
                await Dapper.SqlMapper.ExecuteAsync(conn, copyRun, new { copy, id = draftId }, tx);
                var partial = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, copyLines.Replace("select run_id,", "select @copy,", StringComparison.Ordinal),
                    new { copy, id = draftId, shift = 0, sameDataset = false, upTo = draftLines - 1 }, tx));
                Assert.Equal(Npgsql.PostgresErrorCodes.IntegrityConstraintViolation, partial.SqlState);
            }

            var deleted = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn,
                "delete from reward_runs where id = @id", new { id = Guid.Parse(draft) }));
            Assert.Equal(Npgsql.PostgresErrorCodes.ForeignKeyViolation, deleted.SqlState);
        }
        finally
        {
            foreach (var u in units)
            {
                u.Client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Order_pay_refund_run_approve_export_end_to_end()
    {
        using var op = await api.OperatorClient();
        var bureauOrg = await api.OrganizationAsync("中山市政务服务和数据管理局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var unitOrg = await api.OrganizationAsync("古镇灯饰语料科技有限公司", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("未授权的数源单位", "source_unit"));
        await DatasetFlow.CreateAsync(otherUnit);
        var buyers = new[] { await api.OrganizationAsync("买家甲", "model_builder"), await api.OrganizationAsync("买家乙", "model_builder"), await api.OrganizationAsync("买家丙", "model_builder") };

        // Dataset A: three sales of 600,000 CNY, one refunded → 1,200,000 CNY revenue → 10 % = 120,000 → capped at 100,000.
        var (a, aOrders) = await SellAsync(unit, op, 60_000_000, buyers);
        await (await op.PostAsync($"/v1/orders/{aOrders[2]}/refund", null, Ct)).AssertJson();
        // Dataset B: one sale of 3,333.33 CNY → one paying consumer, below the threshold of two.
        var (b, _) = await SellAsync(unit, op, 333_333, buyers[0]);
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"]));

        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "2026 年度语料奖励",
            cap_scope = "per_period",
            min_files = 1,
            min_bytes = 1,
            min_versions_in_period = 1,
            min_paying_consumers = 2,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var today = Today();
        var run = await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct)).AssertJson(HttpStatusCode.Created);

        Assert.Equal("draft", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("units_in_programme").GetInt32());
        Assert.True(run.GetProperty("units_not_consenting").GetInt32() >= 1);
        // The answer is the summary; the lines come a page at a time (one per page here, to walk the cursor).
        Assert.False(run.TryGetProperty("lines", out _));
        Assert.Equal(2, run.GetProperty("line_count").GetInt32());
        var runId = run.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/reward-runs/{runId}/lines", run.GetProperty("lines_url").GetString());
        var lines = (await RewardFlow.LinesAsync(bureau, runId, limit: 1)).ToDictionary(l => l.GetProperty("dataset_id").GetString()!);
        Assert.Equal(2, lines.Count);
        Assert.Equal(120_000_000, lines[a].GetProperty("revenue_fen").GetInt64());
        Assert.Equal(12_000_000, lines[a].GetProperty("reward_before_caps_fen").GetInt64());
        Assert.Equal(10_000_000, lines[a].GetProperty("reward_fen").GetInt64());
        Assert.Equal("dataset_cap", lines[a].GetProperty("reason_code").GetString());
        Assert.False(lines[b].GetProperty("qualified").GetBoolean());
        Assert.Equal(0, lines[b].GetProperty("reward_fen").GetInt64());
        Assert.Contains(lines[b].GetProperty("criteria").EnumerateArray(), c => !c.GetProperty("passed").GetBoolean() && c.GetProperty("evidence").GetInt64() == 1);
        Assert.Equal(10_000_000, run.GetProperty("total_fen").GetInt64());
        var id = run.GetProperty("id").GetString();

        // The unit sees that the bureau read its revenue, and under which consent.
        var read = (await (await unit.GetAsync("/v1/audit?object_type=revenue", Ct)).AssertJson()).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(bureauOrg.OrganizationId, read.GetProperty("actor").GetProperty("organization_id").GetString());
        Assert.Equal("consent", read.GetProperty("basis").GetProperty("type").GetString());

        // Drafts are the bureau's; units read their own lines once approved.
        await (await unit.GetAsync($"/v1/reward-runs/{id}", Ct)).AssertProblem(HttpStatusCode.NotFound, "reward_run_not_found");
        var approved = await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{id}/approve", new { }, Ct)).AssertJson();
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(64, approved.GetProperty("content_sha256").GetString()!.Length);
        var mine = await (await unit.GetAsync($"/v1/reward-runs/{id}", Ct)).AssertJson();
        Assert.Equal(2, mine.GetProperty("line_count").GetInt32());
        Assert.Equal(2, (await RewardFlow.LinesAsync(unit, id!)).Count);
        Assert.Equal(10_000_000, Assert.Single(mine.GetProperty("units").EnumerateArray()).GetProperty("reward_fen").GetInt64());
        Assert.Empty(await RewardFlow.LinesAsync(otherUnit, id!)); // another unit's share of an approved run: nothing
        await (await bureau.GetAsync($"/v1/reward-runs/{id}/lines?cursor=abc", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{id}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "reward_run_not_draft");

        // Lines are written once with their run and never change, whoever asks: the database refuses it.
        await using (var conn = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn,
                "update reward_run_lines set reward_fen = 0 where run_id = @id", new { id = Guid.Parse(id!) }));
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn,
                "delete from reward_run_units where run_id = @id", new { id = Guid.Parse(id!) }));
        }

        // Exports: CSV for Excel/WPS (BOM, CRLF, yuan), JSON equal to the run, XLSX as a real workbook.
        var csvResponse = await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=csv", Ct);
        var csv = await csvResponse.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(Encoding.UTF8.GetPreamble(), csv[..3]);
        var text = Encoding.UTF8.GetString(csv, 3, csv.Length - 3);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("古镇灯饰语料科技有限公司,", text, StringComparison.Ordinal);
        Assert.Contains("1200000.00", text, StringComparison.Ordinal);
        Assert.Contains("100000.00", text, StringComparison.Ordinal);
        Assert.Contains(approved.GetProperty("content_sha256").GetString()!, text, StringComparison.Ordinal);
        var json = await (await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=json", Ct)).AssertJson();
        Assert.Equal(approved.GetProperty("total_fen").GetInt64(), json.GetProperty("run").GetProperty("total_fen").GetInt64());
        Assert.Equal(2, json.GetProperty("lines").GetArrayLength());

        // The content hash is the SHA-256 of the jsonl export, byte for byte: anyone checks an approved run with sha256sum.
        var jsonl = await (await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=jsonl", Ct)).Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(approved.GetProperty("content_sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(jsonl)));
        var jsonlLines = Encoding.UTF8.GetString(jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 2 + 1, jsonlLines.Length); // the header, two lines, one unit
        Assert.Equal(10_000_000, JsonDocument.Parse(jsonlLines[0]).RootElement.GetProperty("total_fen").GetInt64());
        var xlsx = await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=xlsx", Ct);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PK"u8.ToArray(), (await xlsx.Content.ReadAsByteArrayAsync(Ct))[..2]);
        await (await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=pdf", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        // Parquet: one row per line, exact fen and yuan, the header as key-value metadata.
        var parquet = await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=parquet", Ct);
        Assert.Equal("application/vnd.apache.parquet", parquet.Content.Headers.ContentType?.MediaType);
        using (var stream = new MemoryStream(await parquet.Content.ReadAsByteArrayAsync(Ct)))
        {
            var metadata = DataSpace.Parquet.ParquetReader.ReadMetadata(stream);
            Assert.Equal(json.GetProperty("lines").GetArrayLength(), metadata.NumRows);
            Assert.Equal(json.GetProperty("run").GetProperty("total_fen").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), metadata.KeyValueMetadata["dataspace.total_fen"]);
            stream.Position = 0;
            var names = metadata.Columns.Select(c => c.Name).ToList();
            var rows = DataSpace.Parquet.ParquetReader.ReadRows(stream).Select(r => names.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
            foreach (var line in json.GetProperty("lines").EnumerateArray())
            {
                var row = rows.Single(r => (string)r["dataset_id"]! == line.GetProperty("dataset_id").GetString());
                Assert.Equal(line.GetProperty("reward_fen").GetInt64(), row["reward_fen"]);
                Assert.Equal(line.GetProperty("reward_fen").GetInt64() / 100m, row["reward_yuan"]);
            }
        }

        // A reader nobody here wrote (Debian's openpyxl) finds in the workbook exactly what the JSON export says.
        var path = Path.Combine(Path.GetTempPath(), $"reward-run-{Guid.NewGuid():N}.xlsx");
        await File.WriteAllBytesAsync(path, await (await bureau.GetAsync($"/v1/reward-runs/{id}/export?format=xlsx", Ct)).Content.ReadAsByteArrayAsync(Ct), Ct);
        try
        {
            var workbook = await RewardXlsxTests.ReadWithOpenpyxlAsync(path, Ct);
            static string Yuan(long fen) => $"{fen / 100}.{fen % 100:00}";
            static string RowOf(string reference) => new([.. reference.SkipWhile(char.IsLetter)]);
            foreach (var line in json.GetProperty("lines").EnumerateArray())
            {
                var row = RowOf(workbook.Cells.Single(c => c.Value.Text == line.GetProperty("dataset_id").GetString()).Key);
                var texts = workbook.Cells.Where(c => RowOf(c.Key) == row).Select(c => c.Value.Text).ToList();
                Assert.Contains(Yuan(line.GetProperty("revenue_fen").GetInt64()), texts);
                Assert.Contains(Yuan(line.GetProperty("reward_fen").GetInt64()), texts);
                Assert.Contains(line.GetProperty("unit_name").GetString(), texts);
            }

            var totalRow = RowOf(workbook.Cells.Last(c => c.Value.Text == "合计").Key);
            Assert.Contains(Yuan(json.GetProperty("run").GetProperty("total_fen").GetInt64()), workbook.Cells.Where(c => RowOf(c.Key) == totalRow).Select(c => c.Value.Text));
        }
        finally
        {
            File.Delete(path);
        }

        // A second approved run over the same period needs a reason, and supersedes the first.
        var second = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{second}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "reward_run_overlaps");
        var superseding = await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{second}/approve", new { supersede_reason = "更正退款口径" }, Ct)).AssertJson();
        Assert.Equal(id, superseding.GetProperty("supersedes").GetString());
        Assert.Equal("superseded", (await (await bureau.GetAsync($"/v1/reward-runs/{id}", Ct)).AssertJson()).GetProperty("status").GetString());

        // The lists a clerk and a unit look for first: runs by status and year, newest first, without lines.
        var year = today[..4];
        var approvedRuns = (await (await bureau.GetAsync($"/v1/reward-runs?status=approved&year={year}", Ct)).AssertJson()).GetProperty("items");
        Assert.Equal([second], approvedRuns.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.False(approvedRuns[0].TryGetProperty("lines", out _));
        Assert.Equal(superseding.GetProperty("total_fen").GetInt64(), approvedRuns[0].GetProperty("total_fen").GetInt64());
        var allRuns = (await (await bureau.GetAsync("/v1/reward-runs?limit=1", Ct)).AssertJson());
        Assert.Equal(second, allRuns.GetProperty("items")[0].GetProperty("id").GetString());
        var older = await (await bureau.GetAsync($"/v1/reward-runs?limit=1&cursor={allRuns.GetProperty("next_cursor").GetString()}", Ct)).AssertJson();
        Assert.Equal(id, older.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Empty((await (await bureau.GetAsync("/v1/reward-runs?year=2001", Ct)).AssertJson()).GetProperty("items").EnumerateArray());
        await (await bureau.GetAsync("/v1/reward-runs?status=paid", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        var unitRuns = (await (await unit.GetAsync("/v1/reward-runs", Ct)).AssertJson()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([second], unitRuns.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(mine.GetProperty("total_fen").GetInt64(), unitRuns[0].GetProperty("total_fen").GetInt64());
        Assert.Empty((await (await otherUnit.GetAsync("/v1/reward-runs", Ct)).AssertJson()).GetProperty("items").EnumerateArray());

        var policies = (await (await bureau.GetAsync("/v1/reward-policies", Ct)).AssertJson()).GetProperty("items");
        Assert.Contains(policies.EnumerateArray(), p => p.GetProperty("id").GetString() == policy);
        await (await unit.GetAsync("/v1/reward-policies", Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }

    [Fact]
    public async Task Lifetime_caps_subtract_what_approved_earlier_runs_paid()
    {
        using var op = await api.OperatorClient();
        var bureauOrg = await api.OrganizationAsync("累计上限数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var unitOrg = await api.OrganizationAsync("累计上限数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var buyer = await api.OrganizationAsync("累计上限买家", "model_builder");
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"], null, DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(2)));
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "累计", cap_scope = "lifetime", dataset_cap_fen = 1_500_000, unit_cap_fen = 100_000_000,
            min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();

        // March: a sale of 100,000 CNY → 10,000 CNY, within the 15,000 CNY lifetime cap.
        api.Clock.Freeze(new DateTimeOffset(2025, 3, 15, 4, 0, 0, TimeSpan.Zero));
        string dataset;
        try
        {
            using var unitThen = await api.ClientFor(unitOrg);
            using var opThen = await api.OperatorClient();
            (dataset, _) = await SellAsync(unitThen, opThen, 10_000_000, buyer);
        }
        finally
        {
            api.Clock.Thaw();
        }

        var march = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = "2025-03-01", period_to = "2025-03-31" }, Ct)).AssertJson(HttpStatusCode.Created));
        Assert.Equal(1_000_000, march.GetProperty("total_fen").GetInt64());
        await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{march.GetProperty("id").GetString()}/approve", new { }, Ct)).AssertJson();

        // June: another sale of 100,000 CNY → 10,000 CNY asked, but only 5,000 CNY of the lifetime cap is left.
        api.Clock.Freeze(new DateTimeOffset(2025, 6, 15, 4, 0, 0, TimeSpan.Zero));
        try
        {
            using var buyerThen = await api.ClientFor(buyer);
            using var opThen = await api.OperatorClient();
            var plan = (await (await unit.GetAsync($"/v1/datasets/{dataset}/plans", Ct)).AssertJson()).GetProperty("items")[0].GetProperty("id").GetString()!;
            var order = await OrderFlow.PlaceAsync(buyerThen, plan);
            await (await opThen.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 10_000_000, reference = "JUNE-" + order }, Ct)).AssertJson();
        }
        finally
        {
            api.Clock.Thaw();
        }

        var june = await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = "2025-06-01", period_to = "2025-06-30" }, Ct)).AssertJson(HttpStatusCode.Created);
        var line = Assert.Single(await RewardFlow.LinesAsync(bureau, june.GetProperty("id").GetString()!));
        Assert.Equal(10_000_000, line.GetProperty("revenue_fen").GetInt64());
        Assert.Equal(1_000_000, line.GetProperty("reward_before_caps_fen").GetInt64());
        Assert.Equal(500_000, line.GetProperty("reward_fen").GetInt64());
    }

    [Fact]
    public async Task A_bureau_supersedes_only_its_own_runs_and_never_learns_of_another_bureaus()
    {
        using var x = await api.ClientFor(await api.OrganizationAsync("甲数据局", "data_bureau"));
        using var y = await api.ClientFor(await api.OrganizationAsync("乙数据局", "data_bureau"));

        async Task<string> RunAsync(HttpClient bureau)
        {
            var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new { name = "分局", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0 }, Ct))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
            return (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = "2019-01-01", period_to = "2019-12-31" }, Ct))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        var xRun = await RunAsync(x);
        await (await x.PostAsJsonAsync($"/v1/reward-runs/{xRun}/approve", new { }, Ct)).AssertJson();

        // Y's period is its own: approving needs no reason, and X's frozen run stays approved.
        var yRun = await RunAsync(y);
        var yApproved = await (await y.PostAsJsonAsync($"/v1/reward-runs/{yRun}/approve", new { supersede_reason = "覆盖甲局" }, Ct)).AssertJson();
        Assert.Equal(JsonValueKind.Null, yApproved.GetProperty("supersedes").ValueKind);
        Assert.Equal("approved", (await (await x.GetAsync($"/v1/reward-runs/{xRun}", Ct)).AssertJson()).GetProperty("status").GetString());

        // Y's second run overlaps Y's first only: the 409 names Y's run, never X's.
        var ySecond = await RunAsync(y);
        var problem = await (await y.PostAsJsonAsync($"/v1/reward-runs/{ySecond}/approve", new { }, Ct)).AssertProblem(HttpStatusCode.Conflict, "reward_run_overlaps");
        Assert.Contains(yRun, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain(xRun, problem.GetRawText(), StringComparison.Ordinal);
        var superseding = await (await y.PostAsJsonAsync($"/v1/reward-runs/{ySecond}/approve", new { supersede_reason = "更正" }, Ct)).AssertJson();
        Assert.Equal(yRun, superseding.GetProperty("supersedes").GetString());
        Assert.Equal("approved", (await (await x.GetAsync($"/v1/reward-runs/{xRun}", Ct)).AssertJson()).GetProperty("status").GetString());
        Assert.Equal("superseded", (await (await y.GetAsync($"/v1/reward-runs/{yRun}", Ct)).AssertJson()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_content_hash_is_the_SHA256_of_what_the_run_computed_and_an_approved_run_is_frozen()
    {
        var bureauOrg = await api.OrganizationAsync("冻结测试数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new { name = "空期间", cap_scope = "lifetime", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0 }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var run = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = "2023-01-01", period_to = "2023-12-31" }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var approved = await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{run}/approve", new { }, Ct)).AssertJson();

        var jsonl = await (await bureau.GetAsync($"/v1/reward-runs/{run}/export?format=jsonl", Ct)).Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(jsonl)), approved.GetProperty("content_sha256").GetString());
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, "update reward_runs set total_fen = 1 where id = @id", new { id = Guid.Parse(run!) }));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, "update reward_runs set computed_sha256 = 'x' where id = @id", new { id = Guid.Parse(run!) }));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(conn, "update reward_policies set rate_basis_points = 5000"));
    }

    [Theory]
    [InlineData("""{"name":"x","cap_scope":"forever","min_files":0,"min_bytes":0,"min_versions_in_period":0,"min_paying_consumers":0}""", "cap_scope")]
    [InlineData("""{"name":"x","cap_scope":"lifetime","rate_basis_points":10001,"min_files":0,"min_bytes":0,"min_versions_in_period":0,"min_paying_consumers":0}""", "rate_basis_points")]
    [InlineData("""{"name":"x","cap_scope":"lifetime","unit_cap_fen":-1,"min_files":0,"min_bytes":0,"min_versions_in_period":0,"min_paying_consumers":0}""", "unit_cap_fen")]
    [InlineData("""{"name":"x","cap_scope":"lifetime","min_bytes":0,"min_versions_in_period":0,"min_paying_consumers":0}""", "min_files")]
    public async Task Bad_policies_are_validation_problems(string json, string field)
    {
        using var bureau = await api.ClientFor(await api.OrganizationAsync("政策校验数据局", "data_bureau"));
        var problem = await (await bureau.PostAsync("/v1/reward-policies", new StringContent(json, Encoding.UTF8, "application/json"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task Only_the_data_bureau_sets_policies_and_runs()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("想自己发奖的单位", "source_unit"));
        await (await unit.PostAsJsonAsync("/v1/reward-policies", new { name = "x" }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        await (await unit.PostAsJsonAsync("/v1/reward-runs", new { policy_id = Guid.NewGuid() }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }
}
