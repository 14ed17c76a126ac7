using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataSpace.Contracts.Rewards;
using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Usage.Rewards;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Rewards;

internal sealed class RewardStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    public sealed record PolicyRow(
        Guid Id, string Name, int RateBasisPoints, long DatasetCapFen, long UnitCapFen, string CapScope, long MinFiles, long MinBytes,
        long MinVersionsInPeriod, long MinPayingConsumers, Guid CreatedBy, DateTime CreatedAt, long? MinRows, int? MinCompletenessBasisPoints,
        bool RequireListingCertificate)
    {
        /// <summary>Whether a run needs the profiles' rows and cells.</summary>
        public bool UsesProfiles => MinRows is not null || MinCompletenessBasisPoints is not null;

        public RewardPolicy ToPolicy() => new()
        {
            RateBasisPoints = RateBasisPoints, DatasetCapFen = DatasetCapFen, UnitCapFen = UnitCapFen,
            CapScope = CapScope == "lifetime" ? DataSpace.Usage.Rewards.CapScope.Lifetime : DataSpace.Usage.Rewards.CapScope.PerPeriod,
            MinFiles = MinFiles, MinBytes = MinBytes, MinVersionsInPeriod = MinVersionsInPeriod, MinPayingConsumers = MinPayingConsumers,
            MinRows = MinRows, MinCompletenessBasisPoints = MinCompletenessBasisPoints, RequireListingCertificate = RequireListingCertificate,
        };
    }

    /// <summary>A run's row. <see cref="Content"/> is only set for runs computed before lines had rows of their own (migration 0019).</summary>
    public sealed record RunRow(
        Guid Id, Guid PolicyId, DateOnly PeriodFrom, DateOnly PeriodTo, string Status, string? Content, string? ContentSha256, long TotalFen,
        int UnitsInProgramme, int UnitsNotConsenting, Guid CreatedBy, DateTime CreatedAt, DateTime? ApprovedAt, Guid? Supersedes, string? SupersedeReason,
        string? ComputedSha256, int LineCount);

    /// <summary>A line as the calculator computed it, with the names people read.</summary>
    public sealed record ComputedLine(RewardLine Line, string UnitName, string DatasetTitle);

    /// <summary>What the bureau knows about a unit beyond the calculator's inputs, for the lines and totals people read.</summary>
    public sealed record UnitFacts(string Name, string CreditCode);

    /// <param name="Titles">Each dataset's title, for the lines people read.</param>
    public sealed record Inputs(
        IReadOnlyList<DatasetInput> Datasets, IReadOnlyDictionary<Guid, long> PaidByUnit, IReadOnlyDictionary<Guid, string> Titles,
        IReadOnlyDictionary<Guid, UnitFacts> Units, IReadOnlyDictionary<Guid, Guid> ConsentByUnit, int UnitsInProgramme, int UnitsNotConsenting);

    public async Task<PolicyRow> CreatePolicyAsync(PolicyRow p, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into reward_policies (id, name, rate_basis_points, dataset_cap_fen, unit_cap_fen, cap_scope, min_files, min_bytes,
                                         min_versions_in_period, min_paying_consumers, created_by, created_at, min_rows, min_completeness_basis_points,
                                         require_listing_certificate)
            values (@Id, @Name, @RateBasisPoints, @DatasetCapFen, @UnitCapFen, @CapScope, @MinFiles, @MinBytes,
                    @MinVersionsInPeriod, @MinPayingConsumers, @CreatedBy, @CreatedAt, @MinRows, @MinCompletenessBasisPoints, @RequireListingCertificate)
            """, p, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, p.CreatedBy, "reward_policy", p.Id.ToString(), "created",
            Details: new { p.RateBasisPoints, p.DatasetCapFen, p.UnitCapFen, p.CapScope, p.MinRows, p.MinCompletenessBasisPoints, p.RequireListingCertificate }), ct);
        await tx.CommitAsync(ct);
        return p;
    }

    public async Task<PolicyRow?> FindPolicyAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PolicyRow>(new CommandDefinition("select * from reward_policies where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>One page of reward policies, newest first.</summary>
    public async Task<IReadOnlyList<PolicyRow>> ListPoliciesAsync(Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PolicyRow>(new CommandDefinition(
            "select * from reward_policies where (@after::uuid is null or id < @after) order by id desc limit @limit",
            new { after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>A run as a list shows it: no lines; for a unit, its own total.</summary>
    public sealed record RunSummaryRow(
        Guid Id, Guid PolicyId, DateOnly PeriodFrom, DateOnly PeriodTo, string Status, string? ContentSha256, long TotalFen,
        int UnitsInProgramme, DateTime CreatedAt, DateTime? ApprovedAt, Guid? Supersedes);

    /// <summary>
    /// One page of runs, newest first: a bureau's own runs, or (for a unit) the approved runs that have a
    /// line of that unit, with the unit's own total. <paramref name="year"/> keeps runs whose period overlaps that calendar year.
    /// </summary>
    public async Task<IReadOnlyList<RunSummaryRow>> ListRunsAsync(Guid org, bool asUnit, string? status, int? year, Guid? after, int limit, CancellationToken ct)
    {
        DateOnly? yearFrom = year is { } y ? new DateOnly(y, 1, 1) : null;
        DateOnly? yearTo = year is { } z ? new DateOnly(z, 12, 31) : null;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RunSummaryRow>(new CommandDefinition("""
            select r.id, r.policy_id, r.period_from, r.period_to, r.status, r.content_sha256,
                   case when @asUnit then (select coalesce(sum(u.reward_fen), 0)::bigint from reward_run_units u where u.run_id = r.id and u.unit_id = @org)
                        else r.total_fen end as total_fen,
                   r.units_in_programme, r.created_at, r.approved_at, r.supersedes
            from reward_runs r
            where (case when @asUnit
                        then r.status = 'approved' and exists (select 1 from reward_run_units u where u.run_id = r.id and u.unit_id = @org and u.line_count > 0)
                        else r.created_by = @org end)
              and (@status::text is null or r.status = @status)
              and (@yearFrom::date is null or (r.period_from <= @yearTo and r.period_to >= @yearFrom))
              and (@after::uuid is null or r.id < @after)
            order by r.id desc limit @limit
            """, new { org, asUnit, status, yearFrom, yearTo, after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The calculator's inputs for a period. The programme is the source units whose consent lets this bureau read both
    /// their revenue and their usage statistics now (all datasets, or the named ones); other units that own datasets are
    /// only counted as not consenting. Period bounds are Asia/Shanghai days.
    /// </summary>
    /// <param name="profiles">Gather the latest versions' profiled rows and cells (only when the policy uses them).</param>
    /// <param name="certificates">
    /// Gather each dataset's listing certificate in force in the period (only when the policy requires one): its span in
    /// view listing_certificate_validity (issue to valid_until, empty once revoked) overlaps the period; the newest such.
    /// </param>
    public async Task<Inputs> GatherAsync(Guid bureau, DateOnly from, DateOnly to, DateTimeOffset now, bool lifetime, bool profiles, bool certificates, CancellationToken ct)
    {
        const string sql = """
            with programme as (
                select c.grantor_id as unit_id, bool_or(c.all_datasets) as all_datasets, array_agg(distinct d) filter (where d is not null) as named
                from consent_validity c left join lateral unnest(c.dataset_ids) as d on true
                where c.grantee_id = @bureau and c.in_force @> @now and c.categories @> array['revenue', 'usage_statistics']
                group by c.grantor_id
            ),
            bounds as (select (@from::timestamp at time zone 'Asia/Shanghai') as lo, ((@to + 1)::timestamp at time zone 'Asia/Shanghai') as hi),
            ds as (
                select d.id, d.owner_id, d.title, d.latest_version
                from programme p join datasets d on d.owner_id = p.unit_id and (p.all_datasets or d.id = any(p.named))
            ),
            -- Revenue and paying consumers come from the running totals kept beside the ledger and the orders (the reward_rollups
            -- migration): the period's whole years, whole months and leftover days, about one row per dataset for a yearly run,
            -- whatever the size of the ledger. The sums are exact: each entry is in exactly one of those rows.
            revenue as (
                select r.dataset_id, sum(r.amount_fen)::bigint as fen from revenue_rollups r
                where (r.grain = 'y' and r.starts = any(@years)) or (r.grain = 'm' and r.starts = any(@months)) or (r.grain = 'd' and r.starts = any(@days))
                group by r.dataset_id
            ),
            versions as (
                select x.dataset_id, count(*) as n from dataset_versions x, bounds b
                where x.status = 'committed' and x.committed_at >= b.lo and x.committed_at < b.hi group by x.dataset_id
            ),
            buyers as (
                select q.dataset_id, count(distinct q.buyer_id) as n from order_buyer_rollups q
                where q.paid_orders > 0
                  and ((q.grain = 'y' and q.starts = any(@years)) or (q.grain = 'm' and q.starts = any(@months)) or (q.grain = 'd' and q.starts = any(@days)))
                group by q.dataset_id
            ),
            paid as (
                select l.dataset_id, sum(l.reward_fen)::bigint as fen from reward_run_lines l join reward_runs rr on rr.id = l.run_id
                where @lifetime and rr.status = 'approved' and rr.created_by = @bureau group by l.dataset_id
            ),
            -- Rows and cells of the latest version's profiled files; skipped entirely for policies that do not use them.
            profiled as (
                select ds.id as dataset_id, sum(p.row_count)::bigint as rows, sum(p.cell_count)::bigint as cells, sum(p.null_cell_count)::bigint as null_cells
                from ds join version_files f on f.dataset_id = ds.id and f.version_number = ds.latest_version
                join file_profiles p on p.sha256 = f.sha256 and p.status = 'done' and p.row_count is not null
                where @profiles
                group by ds.id
            ),
            -- The certificate a dataset qualifies with; skipped entirely for policies that do not require one.
            certified as (
                select distinct on (c.dataset_id) c.dataset_id, c.number
                from ds join listing_certificate_validity c on c.dataset_id = ds.id, bounds b
                where @certificates and c.in_force && tstzrange(b.lo, b.hi)
                order by c.dataset_id, c.issued_at desc, c.number desc
            )
            select ds.id as dataset_id, ds.owner_id as unit_id, ds.title,
                   coalesce(revenue.fen, 0) as revenue_fen,
                   coalesce(v.file_count, 0)::bigint as committed_files,
                   coalesce(v.total_bytes, 0)::bigint as latest_version_bytes,
                   coalesce(versions.n, 0) as versions_in_period,
                   coalesce(buyers.n, 0) as paying_consumers,
                   coalesce(paid.fen, 0) as previously_paid_fen,
                   coalesce(profiled.rows, 0) as latest_version_rows,
                   coalesce(profiled.cells, 0) as latest_version_cells,
                   coalesce(profiled.null_cells, 0) as latest_version_null_cells,
                   certified.number as listing_certificate
            from ds
            left join dataset_versions v on v.dataset_id = ds.id and v.number = ds.latest_version
            left join revenue on revenue.dataset_id = ds.id
            left join versions on versions.dataset_id = ds.id
            left join buyers on buyers.dataset_id = ds.id
            left join paid on paid.dataset_id = ds.id
            left join profiled on profiled.dataset_id = ds.id
            left join certified on certified.dataset_id = ds.id
            """;
        var segments = DataSpace.Usage.PeriodSegments.Of(from, to);
        await using var conn = await db.OpenConnectionAsync(ct);
        // One snapshot for every input: a payment that lands while the run reads cannot make its lines and totals disagree.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        // A city's run reads 100,000 rows: by ordinal, into the calculator's inputs and the titles, with nothing in between.
        var inputs = new List<DatasetInput>();
        var titles = new Dictionary<Guid, string>();
        await using (var reader = await conn.ExecuteReaderAsync(new CommandDefinition(
            sql, new { bureau, now, from, to, profiles, certificates, lifetime, years = segments.Years, months = segments.Months, days = segments.Days }, tx,
            cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var datasetId = reader.GetGuid(0);
                titles.Add(datasetId, reader.GetString(2));
                inputs.Add(new DatasetInput(datasetId, reader.GetGuid(1), RevenueFen: reader.GetInt64(3), CommittedFiles: reader.GetInt64(4),
                    LatestVersionBytes: reader.GetInt64(5), VersionsInPeriod: reader.GetInt64(6), PayingConsumers: reader.GetInt64(7),
                    PreviouslyPaidFen: lifetime ? reader.GetInt64(8) : 0, LatestVersionRows: reader.GetInt64(9), LatestVersionCells: reader.GetInt64(10),
                    LatestVersionNullCells: reader.GetInt64(11), ListingCertificate: reader.IsDBNull(12) ? null : reader.GetString(12)));
            }
        }

        // The consent each unit's revenue is read under: its most recent matching one.
        var consentByUnit = (await conn.QueryAsync<(Guid Unit, Guid Consent)>(new CommandDefinition("""
            select distinct on (c.grantor_id) c.grantor_id, c.id from consent_validity c
            where c.grantee_id = @bureau and c.in_force @> @now and c.categories @> array['revenue', 'usage_statistics']
            order by c.grantor_id, c.created_at desc
            """, new { bureau, now }, tx, cancellationToken: ct))).ToDictionary(x => x.Unit, x => x.Consent);
        var unitsInProgramme = consentByUnit.Count;
        var units = (await conn.QueryAsync<(Guid Id, string Name, string CreditCode)>(new CommandDefinition(
            "select id, name, unified_social_credit_code from organizations where id = any(@ids)", new { ids = consentByUnit.Keys.ToArray() }, tx,
            cancellationToken: ct))).ToDictionary(x => x.Id, x => new UnitFacts(x.Name, x.CreditCode));
        var unitsWithData = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(distinct owner_id)::int from datasets", transaction: tx, cancellationToken: ct));
        var paidByUnit = lifetime
            ? (await conn.QueryAsync<(Guid Unit, long Paid)>(new CommandDefinition("""
                select l.unit_id, sum(l.reward_fen)::bigint from reward_run_lines l join reward_runs r on r.id = l.run_id
                where r.status = 'approved' and r.created_by = @bureau group by l.unit_id
                """, new { bureau }, tx, cancellationToken: ct))).ToDictionary(x => x.Unit, x => x.Paid)
            : [];
        await tx.CommitAsync(ct);
        return new Inputs(inputs, paidByUnit, titles, units, consentByUnit, unitsInProgramme, Math.Max(0, unitsWithData - unitsInProgramme));
    }

    /// <summary>
    /// Stores a computed draft in one transaction: the run's row, its lines and unit totals with binary COPY (hashing the
    /// canonical content as they stream, see <see cref="RewardRunContent"/>), and the audit events. Returns the content's SHA-256.
    /// </summary>
    public async Task<string> CreateRunAsync(
        RunRow run, IReadOnlyList<ComputedLine> lines, IReadOnlyList<RewardRunUnit> units, IReadOnlyDictionary<Guid, Guid> consentByUnit, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into reward_runs (id, policy_id, period_from, period_to, status, total_fen, units_in_programme, units_not_consenting, created_by, created_at, line_count)
            values (@Id, @PolicyId, @PeriodFrom, @PeriodTo, 'draft', @TotalFen, @UnitsInProgramme, @UnitsNotConsenting, @CreatedBy, @CreatedAt, @LineCount)
            """, run, tx, cancellationToken: ct));

        using var content = new RewardRunContent();
        content.Add(HeaderOf(run, units.Count));
        // Lines come ordered by unit (RewardCalculator), so each unit's lines are one span of positions, which its total names.
        var spans = new Dictionary<Guid, (int First, int Count)>(units.Count);
        await using (var copy = await conn.BeginBinaryImportAsync("""
            copy reward_run_lines (run_id, position, dataset_id, unit_id, unit_name, dataset_title, revenue_fen, files_evidence, bytes_evidence,
                                   versions_evidence, consumers_evidence, rows_evidence, completeness_evidence, qualified,
                                   before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code, certificate_number) from stdin (format binary)
            """, ct))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var (l, unitName, title) = lines[i];
                content.Add(l.UnitId, unitName, l.DatasetId, title, l);
                spans[l.UnitId] = spans.TryGetValue(l.UnitId, out var span) ? Span(span, i, l.UnitId) : (i, 1);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(run.Id, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(i, NpgsqlTypes.NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(l.DatasetId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(l.UnitId, NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(unitName, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await copy.WriteAsync(title, NpgsqlTypes.NpgsqlDbType.Text, ct);
                await copy.WriteAsync(l.RevenueFen, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                // The evidence only: names, thresholds and verdicts are the run's immutable policy's (RewardCalculator.Judge).
                await copy.WriteAsync(l.CommittedFiles.Evidence, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.LatestVersionBytes.Evidence, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.VersionsInPeriod.Evidence, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.PayingConsumers.Evidence, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await WriteNullableAsync(copy, l.LatestVersionRows?.Evidence, ct);
                await WriteNullableAsync(copy, l.Completeness?.Evidence, ct);
                await copy.WriteAsync(l.Qualified, NpgsqlTypes.NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(l.RewardBeforeCapsFen, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.AfterDatasetCapFen, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.RewardFen, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(l.ReasonCode, NpgsqlTypes.NpgsqlDbType.Text, ct);
                if (l.ListingCertificate?.Reference is { } number)
                {
                    await copy.WriteAsync(number, NpgsqlTypes.NpgsqlDbType.Text, ct);
                }
                else
                {
                    await copy.WriteNullAsync(ct);
                }
            }

            await copy.CompleteAsync(ct);
        }

        await using (var copy = await conn.BeginBinaryImportAsync("""
            copy reward_run_units (run_id, unit_id, position, unit_name, unit_credit_code, cap_remaining_fen, requested_fen, reward_fen, cap_applied,
                                   first_line, line_count)
            from stdin (format binary)
            """, ct))
        {
            for (var i = 0; i < units.Count; i++)
            {
                var u = units[i];
                content.Add(u);
                var unitId = Guid.Parse(u.UnitId);
                var (first, count) = spans.GetValueOrDefault(unitId);
                await copy.WriteRowAsync(ct, run.Id, unitId, i, u.UnitName, u.UnitCreditCode, u.UnitCapRemainingFen, u.RequestedFen, u.RewardFen, u.UnitCapApplied,
                    first, count);
            }

            await copy.CompleteAsync(ct);
        }

        var sha256 = content.Sha256();
        await conn.ExecuteAsync(new CommandDefinition("update reward_runs set computed_sha256 = @sha256 where id = @id", new { sha256, id = run.Id }, tx, cancellationToken: ct));

        // Each unit sees that the bureau read its revenue and usage statistics, and under which consent (Art. 11).
        // One append for all of them and the run's own event: the chain takes the partitions' locks in one fixed order.
        await audit.AppendAsync(conn, tx, [.. consentByUnit.OrderBy(x => x.Key).Select(x => new AuditEntry(actor, x.Key, "revenue", x.Key.ToString(), "read", "consent",
            x.Value.ToString(), new { reward_run = run.Id, period_from = run.PeriodFrom, period_to = run.PeriodTo })),
            new AuditEntry(actor, run.CreatedBy, "reward_run", run.Id.ToString(), "computed",
                Details: new { period_from = run.PeriodFrom, period_to = run.PeriodTo, total_fen = run.TotalFen, content_sha256 = sha256 })], ct);
        await tx.CommitAsync(ct);
        return sha256;
    }

    /// <summary>A unit's span grown by the line at <paramref name="position"/>, which must follow it.</summary>
    private static (int First, int Count) Span((int First, int Count) span, int position, Guid unit) =>
        span.First + span.Count == position
            ? (span.First, span.Count + 1)
            : throw new InvalidOperationException($"The lines of unit {unit} are not contiguous: a line at {position} after {span.Count} from {span.First}.");

    /// <summary>The first line of a run's canonical content.</summary>
    public static RewardRunContent.Header HeaderOf(RunRow run, int unitCount) => new(run.Id.ToString(), run.PolicyId.ToString(), run.PeriodFrom, run.PeriodTo,
        run.UnitsInProgramme, run.UnitsNotConsenting, run.TotalFen, run.LineCount, unitCount);

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, long? value, CancellationToken ct)
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
        }
        else
        {
            await copy.WriteNullAsync(ct);
        }
    }

    private const string SelectLine = """
        select unit_id, unit_name, dataset_id, dataset_title, revenue_fen, files_evidence, bytes_evidence, versions_evidence, consumers_evidence,
               rows_evidence, completeness_evidence, qualified, before_caps_fen, after_dataset_cap_fen, reward_fen, reason_code, position, certificate_number
        from reward_run_lines
        """;

    private sealed record LineRow(
        Guid UnitId, string UnitName, Guid DatasetId, string DatasetTitle, long RevenueFen, long FilesEvidence, long BytesEvidence, long VersionsEvidence,
        long ConsumersEvidence, long? RowsEvidence, long? CompletenessEvidence, bool Qualified,
        long BeforeCapsFen, long AfterDatasetCapFen, long RewardFen, string ReasonCode, int Position, string? CertificateNumber)
    {
        /// <summary>The line as computed: its criteria judged again from its evidence under the run's (immutable) policy.</summary>
        public RewardRunLine ToContract(RewardPolicy policy)
        {
            var (files, bytes, versions, consumers, rows, completeness, certificate) = RewardCalculator.Judge(
                policy, FilesEvidence, BytesEvidence, VersionsEvidence, ConsumersEvidence, RowsEvidence ?? 0, CompletenessEvidence ?? 0, CertificateNumber);
            List<RewardCriterion> criteria = [.. RewardLine.InOrder(files, bytes, versions, consumers, rows, completeness, certificate).Select(Of)];
            return new(UnitId.ToString(), UnitName, DatasetId.ToString(), DatasetTitle, RevenueFen, criteria, Qualified, BeforeCapsFen, AfterDatasetCapFen, RewardFen, ReasonCode);
        }

        private static RewardCriterion Of(CriterionResult c) => RewardCriteriaContract.Of(c);
    }

    /// <summary>The policy a run was computed under, which judges its stored lines' evidence.</summary>
    private static async Task<RewardPolicy> PolicyOfRunAsync(NpgsqlConnection conn, Guid runId, CancellationToken ct) =>
        (await conn.QuerySingleAsync<PolicyRow>(new CommandDefinition(
            "select p.* from reward_policies p join reward_runs r on r.policy_id = p.id where r.id = @runId", new { runId }, cancellationToken: ct))).ToPolicy();

    /// <summary>Up to <paramref name="limit"/> of a run's lines after position <paramref name="after"/>, of one unit or all, with their positions.</summary>
    public async Task<List<(RewardRunLine Line, int Position)>> LinesAsync(Guid runId, Guid? unit, int after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var policy = await PolicyOfRunAsync(conn, runId, ct);
        // A unit's lines are the span of positions its total names: the position index serves both.
        var (from, to) = unit is null ? (after + 1L, long.MaxValue) : await conn.QuerySingleOrDefaultAsync<(long, long)>(new CommandDefinition(
            "select greatest(first_line::bigint, @after::bigint + 1), (first_line + line_count)::bigint from reward_run_units where run_id = @runId and unit_id = @unit",
            new { runId, unit, after }, cancellationToken: ct));
        var rows = await conn.QueryAsync<LineRow>(new CommandDefinition(SelectLine + """
             where run_id = @runId and position >= @from and position < @to order by position limit @limit
            """, new { runId, from, to, limit }, cancellationToken: ct));
        return [.. rows.Select(r => (r.ToContract(policy), r.Position))];
    }

    /// <summary>How many lines of a run are one unit's.</summary>
    public async Task<int> LineCountAsync(Guid runId, Guid unit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "select coalesce(sum(line_count), 0)::int from reward_run_units where run_id = @runId and unit_id = @unit", new { runId, unit }, cancellationToken: ct));
    }

    /// <summary>Every line of a run in order, streamed from the database (exports).</summary>
    public async IAsyncEnumerable<RewardRunLine> AllLinesAsync(Guid runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var policy = await PolicyOfRunAsync(conn, runId, ct);
        await using var reader = await conn.ExecuteReaderAsync(new CommandDefinition(SelectLine + " where run_id = @runId order by position", new { runId }, cancellationToken: ct));
        var parse = reader.GetRowParser<LineRow>();
        while (await reader.ReadAsync(ct))
        {
            yield return parse(reader).ToContract(policy);
        }
    }

    /// <summary>A run's unit totals in order, of one unit or all.</summary>
    public async Task<List<RewardRunUnit>> UnitsAsync(Guid runId, Guid? unit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid UnitId, string UnitName, long CapRemainingFen, long RequestedFen, long RewardFen, bool CapApplied, string UnitCreditCode)>(
            new CommandDefinition("""
                select unit_id, unit_name, cap_remaining_fen, requested_fen, reward_fen, cap_applied, unit_credit_code from reward_run_units
                where run_id = @runId and (@unit::uuid is null or unit_id = @unit) order by position
                """, new { runId, unit }, cancellationToken: ct));
        return [.. rows.Select(u => new RewardRunUnit(u.UnitId.ToString(), u.UnitName, u.CapRemainingFen, u.RequestedFen, u.RewardFen, u.CapApplied, u.UnitCreditCode))];
    }

    public async Task<RunRow?> FindRunAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition("select * from reward_runs where id = @id", new { id }, cancellationToken: ct));
    }

    public enum ApproveOutcome { Approved, NotDraft, Overlaps }

    // "REWARDS" as a number: approvals one at a time, so overlapping drafts cannot both be approved.
    private const long ApprovalLock = 0x52_45_57_41_52_44_53;

    /// <summary>
    /// Freezes a draft with the SHA-256 of its content. An approved run of the same bureau over an overlapping period is
    /// refused unless a reason to supersede it is given; then the earlier run becomes superseded (its lines stop counting
    /// for lifetime caps). Another bureau's runs are never looked at: reward periods and lifetime caps are per bureau.
    /// </summary>
    public async Task<(ApproveOutcome Outcome, Guid? Overlapping)> ApproveAsync(Guid id, string? supersedeReason, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One approval at a time, so two overlapping drafts cannot both become approved.
        await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@ApprovalLock)", new { ApprovalLock }, tx, cancellationToken: ct));
        var run = await conn.QuerySingleAsync<RunRow>(new CommandDefinition("select * from reward_runs where id = @id for update", new { id }, tx, cancellationToken: ct));
        if (run.Status != "draft")
        {
            return (ApproveOutcome.NotDraft, null);
        }

        // Periods are per bureau: each bureau's runs are its own, so only its own approved runs overlap (and are superseded).
        var overlapping = await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            select id from reward_runs
            where created_by = @CreatedBy and status = 'approved' and period_from <= @PeriodTo and period_to >= @PeriodFrom
            order by approved_at desc limit 1
            """, new { run.CreatedBy, run.PeriodFrom, run.PeriodTo }, tx, cancellationToken: ct));
        if (overlapping is not null && string.IsNullOrWhiteSpace(supersedeReason))
        {
            return (ApproveOutcome.Overlaps, overlapping);
        }

        if (overlapping is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                update reward_runs set status = 'superseded'
                where created_by = @CreatedBy and status = 'approved' and period_from <= @PeriodTo and period_to >= @PeriodFrom
                """, new { run.CreatedBy, run.PeriodFrom, run.PeriodTo }, tx, cancellationToken: ct));
        }

        // The hash computed with the lines; runs from before lines had rows keep the hash of their JSON content.
        var hash = run.ComputedSha256 ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(run.Content!)));
        await conn.ExecuteAsync(new CommandDefinition("""
            update reward_runs set status = 'approved', content_sha256 = @hash, approved_at = @now, supersedes = @overlapping, supersede_reason = @supersedeReason where id = @id
            """, new { hash, now, overlapping, supersedeReason = overlapping is null ? null : supersedeReason, id }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, run.CreatedBy, "reward_run", id.ToString(), "approved",
            Details: new { content_sha256 = hash, supersedes = overlapping, reason = supersedeReason }), ct);
        await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.RewardRunApproved, WebhookAudience.RewardRunParties, id, new { reward_run_id = id, content_sha256 = hash, supersedes = overlapping }), ct);
        await tx.CommitAsync(ct);
        return (ApproveOutcome.Approved, overlapping);
    }
}
