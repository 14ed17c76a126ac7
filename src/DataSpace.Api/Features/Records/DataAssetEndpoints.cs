using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Records;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Records;

/// <summary>
/// What only data assets have: valuations (appraisals kept apart from book value, each with its report file) and
/// registrations at data exchanges. Both are added to an editable revision and frozen with it.
/// </summary>
internal static class DataAssetEndpoints
{
    private static readonly RecordKind Kind = RecordKind.DataAsset;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id}/valuations", AddValuationAsync).WithName("AddDataAssetValuation")
            .WithSummary("Add a valuation (assessor, appraisers, method, base date, value, report number, fee) to a draft or returned asset (owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .Produces<DataAsset>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id}/valuations/{valuation}/report", UploadReportAsync).WithName("UploadDataAssetValuationReport")
            .WithSummary("Upload a valuation's report file (raw body; name it with Content-Disposition filename*=UTF-8''…) (owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .HoldsUploadSlot()
            .WithMetadata(new OpenApi.DocumentedBody(typeof(Stream), "application/octet-stream"))
            .Produces<DataAsset>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/{id}/valuations/{valuation}/report", DownloadReportAsync).WithName("DownloadDataAssetValuationReport")
            .WithSummary("Download a valuation's report file (owner; the bureau once submitted)")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/registrations", AddRegistrationAsync).WithName("AddDataAssetRegistration")
            .WithSummary("Add an exchange registration (exchange, certificate number, type initial/change/cancellation, date) (owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .Produces<DataAsset>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> AddValuationAsync(
        string id, AddValuationRequest request, HttpContext http, RecordStore store, Listings.ListingStore listings, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        Listings.ListingStore.AssessorRow? assessor = null;
        if (request.AssessorId is not null)
        {
            assessor = Guid.TryParse(request.AssessorId, out var assessorId) ? await listings.FindAssessorAsync(assessorId, ct) : null;
            if (assessor is null)
            {
                return Problem.NotFound(ProblemCodes.AssessorNotFound, "Assessor not found", $"'{request.AssessorId}' is not a registered assessor (GET /v1/assessors).");
            }

            if (!assessor.Kinds.Contains("valuation"))
            {
                return Problem.Conflict(ProblemCodes.AssessmentKindNotRegistered, $"{assessor.Name} may not sign valuations",
                    $"It is registered for: {string.Join(", ", assessor.Kinds)}.");
            }
        }

        var firm = assessor?.Name ?? v.RequiredText("assessor_firm", request.AssessorFirm, 200);
        var appraisers = Texts(v, "appraisers", request.Appraisers, 20, 50);
        var methods = request.Methods ?? [];
        if (methods.Count == 0)
        {
            v.Add("methods", "must name at least one of income, cost, market");
        }

        foreach (var m in methods.Where(m => !ValuationMethods.All.Contains(m)))
        {
            v.Add("methods", $"'{m}' is not a method; use income, cost or market");
        }

        if (methods.Distinct().Count() != methods.Count)
        {
            v.Add("methods", "must not repeat a method");
        }

        if (request.BaseDate is null)
        {
            v.Add("base_date", "is required (YYYY-MM-DD)");
        }

        Http.Dates.Check(request.BaseDate, "base_date", v);

        if (request.ValueFen is not { } value || value < 0)
        {
            v.Add("value_fen", "is required: the appraised value in fen, not negative");
        }

        var report = v.RequiredText("report_number", request.ReportNumber, 100);
        if (request.AssessmentFeeFen is not { } fee || fee < 0)
        {
            v.Add("assessment_fee_fen", "is required: the assessment fee in fen, not negative");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var valuation = new Valuation
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()).ToString(),
            AssessorFirm = firm,
            AssessorId = assessor?.OrganizationId.ToString(),
            Appraisers = appraisers,
            Methods = [.. ValuationMethods.All.Where(methods.Contains)],
            BaseDate = request.BaseDate!.Value,
            ValueFen = request.ValueFen!.Value,
            ReportNumber = report,
            AssessmentFeeFen = request.AssessmentFeeFen!.Value,
        };
        return await AppendAsync(id, http, store, clock, "valuations", valuation, "valuation_added", ct);
    }

    private static async Task<IResult> AddRegistrationAsync(string id, AddRegistrationRequest request, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var registration = DataAssetKind.ValidateRegistration(request, clock, v);
        return registration is null ? v.ToProblem() : await AppendAsync(id, http, store, clock, "registrations", registration, "registration_added", ct);
    }

    private static async Task<IResult> AppendAsync<T>(string id, HttpContext http, RecordStore store, TimeProvider clock, string member, T item, string action, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return RecordEndpoints.NotFound(Kind, id);
        }

        var (outcome, row) = await store.ChangeAsync(Kind, g, http.User.OrganizationId(), clock.GetUtcNow(), AuditActor.From(http), (current, _, _) =>
        {
            var stored = JsonNode.Parse(current.Fields)!.AsObject();
            var list = stored[member] as JsonArray ?? [];
            list.Add(JsonSerializer.SerializeToNode(item, Http.Json.Options));
            stored[member] = list;
            return Task.FromResult<RecordStore.Change?>(new RecordStore.Change(stored.ToJsonString(Http.Json.Options), action, item));
        }, ct);
        return outcome == RecordStore.ChangeOutcome.Changed
            ? RecordEndpoints.Json(Kind, row!, clock, StatusCodes.Status201Created)
            : RecordEndpoints.Outcome(Kind, id, outcome, row, new Validation(), clock);
    }

    private static Task<IResult> UploadReportAsync(
        string id, string valuation, HttpContext http, RecordStore store, IBlobStore blobs, IOptions<RecordFileOptions> options, TimeProvider clock, CancellationToken ct) =>
        RecordFileEndpoints.UploadAsync(Kind, id, http, store, blobs, options.Value, clock, "valuation_report", (stored, file) =>
        {
            var entry = (stored["valuations"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(x => x["id"]?.GetValue<string>() == valuation);
            if (entry is null)
            {
                return false;
            }

            entry["report"] = JsonSerializer.SerializeToNode(file, Http.Json.Options);
            return true;
        }, ct, () => ValuationNotFound(valuation));

    private static Task<IResult> DownloadReportAsync(
        string id, string valuation, HttpContext http, RecordStore store, IBlobStore blobs, AuditChain audit, CancellationToken ct, int? revision = null) =>
        RecordFileEndpoints.DownloadAsync(Kind, id, revision, http, store, blobs, audit,
            stored => DataAssetKind.Valuations(stored).FirstOrDefault(x => x.Id == valuation)?.Report, ct);

    private static ProblemHttpResult ValuationNotFound(string valuation) =>
        Problem.NotFound(ProblemCodes.ValuationNotFound, "Valuation not found", $"The asset's open revision has no valuation '{valuation}'.");

    private static List<string> Texts(Validation v, string field, IReadOnlyList<string>? values, int maxCount, int maxLength)
    {
        if (values is null || values.Count == 0)
        {
            v.Add(field, "must name at least one");
            return [];
        }

        if (values.Count > maxCount)
        {
            v.Add(field, $"must name at most {maxCount}");
        }

        return [.. values.Select((x, i) => v.RequiredText($"{field}[{i}]", x, maxLength))];
    }
}
