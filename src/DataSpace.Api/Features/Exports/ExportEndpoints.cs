using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Records;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Records;
using DataSpace.Usage;
using DataSpace.Usage.Records;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Exports;

/// <summary>
/// The bureau's lists for payment and filing: DCMM rewards, pilot subsidies, assessment-fee subsidies and booked data
/// assets, as CSV (UTF-8 BOM, for Excel/WPS), XLSX or JSON. Amounts are computed over the whole verified history (an
/// upgrade pays the difference to what was paid before), then the lines verified in the period are listed.
/// Every export is an audit event.
/// </summary>
internal static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/exports").WithTags("Exports").RequireAuthorization(Policies.RecordsBureau);
        Describe(group.MapGet("/dcmm-rewards", DcmmRewardsAsync).WithName("ExportDcmmRewards")
            .WithSummary("DCMM rewards of verified certificates (level ≥ 3 once; an upgrade pays the difference), under the current or a named policy"),
            typeof(RecordExport<DcmmRewardLine>));
        Describe(group.MapGet("/pilot-subsidies", PilotSubsidiesAsync).WithName("ExportPilotSubsidies")
            .WithSummary("Trusted-data-space pilot subsidies: 10 % / 5 % / 3 % of construction cost, capped at 1,000,000 / 500,000 / 300,000 CNY, one per unit and level"),
            typeof(RecordExport<PilotSubsidyLine>));
        Describe(group.MapGet("/asset-fee-subsidies", FeeSubsidiesAsync).WithName("ExportAssetFeeSubsidies")
            .WithSummary("Assessment-fee subsidies of verified valuations, under the current or a named policy"),
            typeof(RecordExport<AssetFeeSubsidyLine>));
        Describe(group.MapGet("/data-assets", DataAssetsAsync).WithName("ExportDataAssets")
            .WithSummary("Verified data assets as booked (数据资产入表): category, cost, latest valuation, registrations"),
            typeof(RecordExport<DataAssetExportLine>));
        return app;
    }

    private static void Describe(RouteHandlerBuilder endpoint, Type json) => endpoint
        .WithMetadata(new OpenApi.FileResponse("The list in the format asked for: json (default), csv (UTF-8 with BOM, CRLF, yuan with 2 decimals) or xlsx.",
            ["text/csv", XlsxWorkbook.ContentType], json))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

    private sealed record Query(string Format, DateOnly? From, DateOnly? To, Guid? PolicyId);

    private static Query? Read(string? format, string? from, string? to, string? policyId, Validation v)
    {
        format ??= "json";
        if (format is not ("csv" or "xlsx" or "json"))
        {
            v.Add("format", "must be csv, xlsx or json");
        }

        var f = Dates.ReadDate(from, "from", v);
        var t = Dates.ReadDate(to, "to", v);
        if (f > t)
        {
            v.Add("to", "must not be before from");
        }

        Guid? policy = null;
        if (policyId is not null)
        {
            if (Guid.TryParse(policyId, out var p))
            {
                policy = p;
            }
            else
            {
                v.Add("policy_id", "is not a policy id");
            }
        }

        return v.IsValid ? new Query(format, f, t, policy) : null;
    }

    private static bool InPeriod(Query q, DateTimeOffset at)
    {
        var day = ReportingPeriods.DateOf(at);
        return (q.From is not { } f || day >= f) && (q.To is not { } t || day <= t);
    }

    private static DateTimeOffset Verified(RecordStore.RecordRow row) => Timestamps.Utc(row.DecidedAt!.Value);

    private static async Task<IResult> RespondAsync<TLine>(
        HttpContext http, AuditChain audit, Query q, RecordExport<TLine> export, Func<RecordExport<TLine>, ExportSheet> sheetOf, Func<TLine, string> unitOf, string name,
        CancellationToken ct)
    {
        await audit.AppendAsync(new AuditEntry(AuditActor.From(http), http.User.OrganizationId(), "export", export.Kind, "exported",
            Details: new { format = q.Format, from = q.From, to = q.To, policy_id = export.PolicyId, lines = export.Lines.Count, total_fen = export.TotalFen }), ct);
        // Each unit whose records are in the export sees that they left the platform, in what and how many lines.
        await Task.WhenAll(export.Lines.GroupBy(unitOf).Select(unit => audit.AppendAsync(new AuditEntry(AuditActor.From(http), Guid.Parse(unit.Key), "export", export.Kind,
            "exported", Details: new { format = q.Format, from = q.From, to = q.To, lines = unit.Count() }), ct)));
        if (q.Format == "json")
        {
            return TypedResults.Json(export, Http.Json.Options);
        }

        var period = q.From is null && q.To is null ? "all" : $"{q.From:yyyyMMdd}-{q.To:yyyyMMdd}";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{period}.{q.Format}\"";
        var sheet = sheetOf(export);
        return q.Format == "csv"
            ? TypedResults.File(SheetCsv.Write(sheet), "text/csv; charset=utf-8")
            : TypedResults.Stream(stream => SheetXlsx.WriteAsync(sheet, stream, ct), XlsxWorkbook.ContentType);
    }

    private static async Task<Dictionary<Guid, (string Name, string CreditCode)>> UnitsAsync(RecordStore store, IEnumerable<RecordStore.RecordRow> rows, CancellationToken ct) =>
        await store.UnitsAsync(rows.Select(r => r.OwnerId), ct);

    private static async Task<IResult> DcmmRewardsAsync(HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? format = null, [FromQuery] string? from = null, [FromQuery] string? to = null, [FromQuery(Name = "policy_id")] string? policyId = null)
    {
        var v = new Validation();
        if (Read(format, from, to, policyId, v) is not { } q)
        {
            return v.ToProblem();
        }

        if (await store.FindPolicyAsync(RecordPolicyEndpoints.DcmmReward, q.PolicyId, ct) is not { } policyRow)
        {
            return RecordPolicyEndpoints.NoPolicy("DCMM reward", "/v1/dcmm-reward-policies");
        }

        var policy = RecordPolicyEndpoints.Dcmm(policyRow);
        var history = await store.VerifiedHistoryAsync(RecordKind.Dcmm, ct);
        var certificates = history.ToDictionary(r => (r.Id, r.Revision), r => JsonSerializer.Deserialize<DcmmCertificateFields>(r.Fields, Http.Json.Options)!);
        var lines = RecordPayments.DcmmRewards(RecordPolicyEndpoints.Amounts(policy),
            history.Select(r => new RecordPayments.DcmmCertificate(r.Id, r.Revision, r.OwnerId, certificates[(r.Id, r.Revision)].Level!.Value, Verified(r))));
        var units = await UnitsAsync(store, history, ct);
        var shown = lines.Where(l => InPeriod(q, l.Certificate.VerifiedAt)).Select(l =>
        {
            var c = certificates[(l.Certificate.RecordId, l.Certificate.Revision)];
            var (name, code) = units[l.Certificate.UnitId];
            return new DcmmRewardLine(l.Certificate.UnitId.ToString(), name, code, l.Certificate.RecordId.ToString(), l.Certificate.Revision, c.Standard!, c.Level!.Value,
                c.CertificateNumber!, c.CertifyingBody!, c.ValidUntil!.Value, l.Certificate.VerifiedAt, l.PreviouslyRewardedLevel, l.LevelAmountFen, l.PreviouslyPaidFen,
                l.RewardFen, l.ReasonCode);
        }).ToList();
        var export = new RecordExport<DcmmRewardLine>
        {
            Kind = "dcmm_rewards", Title = "DCMM贯标奖励清单", PeriodFrom = q.From, PeriodTo = q.To, PolicyId = policy.Id,
            GeneratedAt = clock.GetUtcNow(), Lines = shown, TotalFen = shown.Sum(l => l.RewardFen),
        };
        return await RespondAsync(http, audit, q, export, RecordExports.DcmmRewards, l => l.UnitId, "dcmm-rewards", ct);
    }

    private static async Task<IResult> PilotSubsidiesAsync(HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? format = null, [FromQuery] string? from = null, [FromQuery] string? to = null)
    {
        var v = new Validation();
        if (Read(format, from, to, null, v) is not { } q)
        {
            return v.ToProblem();
        }

        var history = await store.VerifiedHistoryAsync(RecordKind.Pilot, ct);
        var pilots = history.ToDictionary(r => (r.Id, r.Revision), r => JsonSerializer.Deserialize<DataSpacePilotFields>(r.Fields, Http.Json.Options)!);
        var lines = RecordPayments.PilotSubsidies(history.Select(r =>
            new RecordPayments.Pilot(r.Id, r.Revision, r.OwnerId, pilots[(r.Id, r.Revision)].Level!, pilots[(r.Id, r.Revision)].ConstructionCostFen!.Value, Verified(r))));
        var units = await UnitsAsync(store, history, ct);
        var shown = lines.Where(l => InPeriod(q, l.Pilot.VerifiedAt)).Select(l =>
        {
            var p = pilots[(l.Pilot.RecordId, l.Pilot.Revision)];
            var (name, code) = units[l.Pilot.UnitId];
            return new PilotSubsidyLine(l.Pilot.UnitId.ToString(), name, code, l.Pilot.RecordId.ToString(), l.Pilot.Revision, p.Level!, p.ProjectName!, p.ApprovalNumber!,
                l.Pilot.ConstructionCostFen, l.RateBasisPoints, l.CapFen, l.BeforeCapFen, l.SubsidyFen, l.Pilot.VerifiedAt, l.ReasonCode);
        }).ToList();
        var export = new RecordExport<PilotSubsidyLine>
        {
            Kind = "pilot_subsidies", Title = "可信数据空间试点补助清单", PeriodFrom = q.From, PeriodTo = q.To,
            GeneratedAt = clock.GetUtcNow(), Lines = shown, TotalFen = shown.Sum(l => l.SubsidyFen),
        };
        return await RespondAsync(http, audit, q, export, RecordExports.PilotSubsidies, l => l.UnitId, "pilot-subsidies", ct);
    }

    private static async Task<IResult> FeeSubsidiesAsync(HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? format = null, [FromQuery] string? from = null, [FromQuery] string? to = null, [FromQuery(Name = "policy_id")] string? policyId = null)
    {
        var v = new Validation();
        if (Read(format, from, to, policyId, v) is not { } q)
        {
            return v.ToProblem();
        }

        if (await store.FindPolicyAsync(RecordPolicyEndpoints.AssetFeeSubsidy, q.PolicyId, ct) is not { } policyRow)
        {
            return RecordPolicyEndpoints.NoPolicy("assessment-fee subsidy", "/v1/asset-fee-subsidy-policies");
        }

        var policy = RecordPolicyEndpoints.Fee(policyRow);
        var history = await store.VerifiedHistoryAsync(RecordKind.DataAsset, ct);
        var fields = history.Select(r => JsonNode.Parse(r.Fields)!.AsObject()).ToList();
        // Only when the policy asks: the listing certificates of every dataset the assets book, in one query.
        var certificates = policy.RequireListingCertificate
            ? (await store.CertificatesOfAsync([.. fields.SelectMany(BookedDatasets).Distinct()], ct)).ToLookup(c => c.DatasetId)
            : null;
        var valuations = new Dictionary<(Guid, int, string), (string AssetName, Valuation Valuation)>();
        var inputs = new List<RecordPayments.Valuation>();
        foreach (var (r, stored) in history.Zip(fields))
        {
            var assetName = stored["name"]!.GetValue<string>();
            var verifiedAt = Verified(r);
            // The newest certificate of one of the asset's datasets that was in force when this revision was verified.
            var certificate = certificates is null ? null : BookedDatasets(stored).SelectMany(d => certificates[d])
                .Where(c => new DateTimeOffset(c.IssuedAt, TimeSpan.Zero) <= verifiedAt && verifiedAt < new DateTimeOffset(c.ValidUntil, TimeSpan.Zero))
                .OrderByDescending(c => c.IssuedAt).ThenByDescending(c => c.Number, StringComparer.Ordinal).FirstOrDefault()?.Number;
            foreach (var val in DataAssetKind.Valuations(stored))
            {
                valuations[(r.Id, r.Revision, val.Id)] = (assetName, val);
                inputs.Add(new RecordPayments.Valuation(r.Id, r.Revision, Guid.Parse(val.Id), r.OwnerId, val.AssessmentFeeFen, verifiedAt, certificate));
            }
        }

        var lines = RecordPayments.FeeSubsidies(new RecordPayments.FeeSubsidyPolicy(policy.RateBasisPoints, policy.CapFen, policy.RequireListingCertificate), inputs);
        var units = await UnitsAsync(store, history, ct);
        var shown = lines.Where(l => InPeriod(q, l.Valuation.VerifiedAt)).Select(l =>
        {
            var (assetName, val) = valuations[(l.Valuation.AssetId, l.Valuation.Revision, l.Valuation.ValuationId.ToString())];
            var (name, code) = units[l.Valuation.UnitId];
            return new AssetFeeSubsidyLine(l.Valuation.UnitId.ToString(), name, code, l.Valuation.AssetId.ToString(), l.Valuation.Revision, assetName, val.Id,
                val.AssessorFirm, val.ReportNumber, val.BaseDate, val.ValueFen, val.AssessmentFeeFen, l.BeforeCapFen, l.SubsidyFen, l.Valuation.VerifiedAt, l.ReasonCode,
                l.Valuation.ListingCertificate);
        }).ToList();
        var export = new RecordExport<AssetFeeSubsidyLine>
        {
            Kind = "asset_fee_subsidies", Title = "数据资产评估费补助清单", PeriodFrom = q.From, PeriodTo = q.To, PolicyId = policy.Id,
            GeneratedAt = clock.GetUtcNow(), Lines = shown, TotalFen = shown.Sum(l => l.SubsidyFen),
        };
        return await RespondAsync(http, audit, q, export, RecordExports.AssetFeeSubsidies, l => l.UnitId, "asset-fee-subsidies", ct);
    }

    /// <summary>The datasets a data-asset revision books (its dataset_ids).</summary>
    private static IEnumerable<Guid> BookedDatasets(JsonObject fields) =>
        fields["dataset_ids"]?.AsArray().Select(d => Guid.Parse(d!.GetValue<string>())) ?? [];

    private static async Task<IResult> DataAssetsAsync(HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? format = null, [FromQuery] string? from = null, [FromQuery] string? to = null)
    {
        var v = new Validation();
        if (Read(format, from, to, null, v) is not { } q)
        {
            return v.ToProblem();
        }

        // The revision in force: verified and not superseded.
        var current = (await store.VerifiedHistoryAsync(RecordKind.DataAsset, ct)).Where(r => r.Status == RecordStatuses.Verified && InPeriod(q, Verified(r))).ToList();
        var units = await UnitsAsync(store, current, ct);
        var shown = current.Select(r =>
        {
            var stored = JsonNode.Parse(r.Fields)!.AsObject();
            var f = stored.Deserialize<DataAssetFields>(Http.Json.Options)!;
            var latest = DataAssetKind.Valuations(stored).OrderByDescending(x => x.BaseDate).ThenByDescending(x => x.Id, StringComparer.Ordinal).FirstOrDefault();
            var (name, code) = units[r.OwnerId];
            return new DataAssetExportLine(r.OwnerId.ToString(), name, code, r.Id.ToString(), r.Revision, f.Name!, f.AccountingCategory!, f.Acquisition!, f.CostFen!.Value,
                f.RecognitionDate!.Value, f.UsefulLifeMonths, f.DatasetIds?.Count ?? 0, latest?.ValueFen, latest?.BaseDate,
                string.Join("；", DataAssetKind.Registrations(stored).Select(x => $"{x.Exchange} {x.CertificateNumber}（{RecordExports.RegistrationType(x.Type)}）")), Verified(r), r.ContentSha256!);
        }).ToList();
        var export = new RecordExport<DataAssetExportLine>
        {
            Kind = "data_assets", Title = "数据资产入表清单", PeriodFrom = q.From, PeriodTo = q.To,
            GeneratedAt = clock.GetUtcNow(), Lines = shown, TotalFen = shown.Sum(l => l.CostFen),
        };
        return await RespondAsync(http, audit, q, export, RecordExports.DataAssets, l => l.UnitId, "data-assets", ct);
    }
}
