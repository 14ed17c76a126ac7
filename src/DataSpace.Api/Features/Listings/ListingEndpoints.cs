using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Certificates;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Listings;
using DataSpace.Contracts.Versions;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Listings;

/// <summary>
/// The listing review (挂牌审核): a unit applies to list one committed version with a product description, scenarios and
/// assessment reports bound to that version's manifest; the operator or the bureau reviews it as records are reviewed
/// (draft → submitted → verified or returned), optionally after a public notice in which any organisation may object;
/// every objection is resolved before verification, which issues the signed certificate. Publishing a dataset that needs
/// a listing (paid, or with personal information or important data) asks for a verified one (<see cref="ListingGate"/>).
/// </summary>
internal static class ListingEndpoints
{
    private sealed record StoredFields(string ProductDescription, string[] Scenarios, Dictionary<string, Guid> Reports);

    public static IEndpointRouteBuilder MapListingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/datasets/{id}/listings", CreateAsync).WithTags("Listings").WithName("CreateListing")
            .WithSummary("Apply to list a committed version: a draft application with product description, scenarios and the compliance and quality reports " +
                "for that version's manifest (owner). Quality facts and the source-legality chain are filled in from the profiles and the provenance")
            .RequireAuthorization(Policies.Publisher)
            .Produces<Listing>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var group = app.MapGroup("/v1/listings").WithTags("Listings").RequireAuthorization(Policies.Catalog);
        group.MapGet("/", ListAsync).WithName("ListListings")
            .WithSummary("The caller's own applications; for the operator and the bureau every submitted one; for everyone else those under public notice")
            .Produces<Page<Listing>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetAsync).WithName("GetListing")
            .WithSummary("One application: the owner's in any state; submitted ones for reviewers; noticed, verified and revoked ones for everyone")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceAsync).WithName("UpdateListing")
            .WithSummary("Replace a draft or returned application (owner)")
            .RequireAuthorization(Policies.Publisher)
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/submit", SubmitAsync).WithName("SubmitListing")
            .WithSummary("Submit a draft or returned application for review (owner); its reports must still be valid (409 assessment_report_expired)")
            .RequireAuthorization(Policies.Publisher)
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/objections", ObjectAsync).WithName("FileListingObjection")
            .WithSummary("Object (异议) to a listing under public notice, with reasons (any organisation but its owner)")
            .Produces<Listing>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var review = app.MapGroup("/v1/review/listings").WithTags("Review").RequireAuthorization(Policies.ListingReviewer);
        review.MapPost("/{id}/notice", NoticeAsync).WithName("OpenListingNotice")
            .WithSummary("Open the public notice (公示) of a submitted application for 1–30 days (operator or bureau)")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/{id}/objections/{objection}/resolve", ResolveAsync).WithName("ResolveListingObjection")
            .WithSummary("Resolve an objection: dismissed, or upheld (the application then goes back to its unit) (operator or bureau)")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/{id}/verify", VerifyAsync).WithName("VerifyListing")
            .WithSummary("Verify a submitted application and issue its signed certificate; refused while the notice runs (409 notice_period_running), " +
                "an objection is open (409 objection_open) or a report expired (409 assessment_report_expired) (operator or bureau)")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/{id}/return", ReturnAsync).WithName("ReturnListing")
            .WithSummary("Return a submitted application to its unit with a reason (operator or bureau)")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/{id}/revoke", RevokeAsync).WithName("RevokeListing")
            .WithSummary("Revoke a verified listing with a reason: its certificate then verifies as revoked (operator or bureau)")
            .Produces<Listing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static bool IsReviewer(HttpContext http) => http.User.HasRole(Roles.Operator) || http.User.HasRole(Roles.DataBureau);

    private static ProblemHttpResult NotFound(string id) => Problem.NotFound(ProblemCodes.ListingNotFound, "Listing not found", $"No listing application '{id}' is visible to you.");

    // ---- Applying ----------------------------------------------------------------------------------------------------

    /// <summary>Validates an application against the version it names; a problem, or what to store.</summary>
    private static async Task<(StoredFields? Fields, int Version, IResult? Problem)> ValidateAsync(
        ListingApplicationRequest request, DatasetRow dataset, VersionAccess versions, ListingStore store, CancellationToken ct)
    {
        var v = new Validation();
        if (request.Version is not > 0)
        {
            v.Add("version", "is required: the committed version to list");
        }

        var description = v.RequiredText("product_description", request.ProductDescription, 20000, multiline: true);
        var scenarios = (request.Scenarios ?? []).Select(s => s?.Trim() ?? "").ToArray();
        if (scenarios.Length == 0 || scenarios.Any(s => s.Length is 0 or > 500))
        {
            v.Add("scenarios", "must name at least one application scenario (无场景不登记), each 1–500 characters");
        }

        var named = new Dictionary<string, (string Field, string? Value)>
        {
            ["compliance"] = ("compliance_report_id", request.ComplianceReportId),
            ["quality"] = ("quality_report_id", request.QualityReportId),
            ["valuation"] = ("valuation_report_id", request.ValuationReportId),
        };
        var ids = new Dictionary<string, Guid>();
        foreach (var (kind, (field, value)) in named)
        {
            if (value is null)
            {
                if (kind != "valuation")
                {
                    v.Add(field, $"is required: the id of a {kind} assessment report for this version");
                }
            }
            else if (Guid.TryParse(value, out var g))
            {
                ids[kind] = g;
            }
            else
            {
                v.Add(field, "is not a report id");
            }
        }

        if (!v.IsValid)
        {
            return (null, 0, v.ToProblem());
        }

        var version = await versions.FindAsync(dataset.Id, request.Version, ct);
        if (version is not { Status: VersionStatuses.Committed })
        {
            return (null, 0, Problem.NotFound(ProblemCodes.VersionNotFound, "Version not found", $"Dataset {dataset.Id} has no committed version {request.Version}."));
        }

        var reports = (await store.ReportsAsync([.. ids.Values], ct)).ToDictionary(r => r.Id);
        foreach (var (kind, id) in ids)
        {
            if (!reports.TryGetValue(id, out var report) || report.DatasetId != dataset.Id || report.Kind != kind)
            {
                return (null, 0, Problem.NotFound(ProblemCodes.AssessmentReportNotFound, "Report not found",
                    $"{named[kind].Field}: no {kind} report '{id}' was given on this dataset."));
            }

            if (report.ManifestSha256 != version.ManifestSha256)
            {
                return (null, 0, Problem.Conflict(ProblemCodes.ManifestMismatch, "The report is for another manifest",
                    $"{named[kind].Field}: report {id} is bound to manifest {report.ManifestSha256} (version {report.Version}); version {version.Number} has {version.ManifestSha256}."));
            }
        }

        return (new StoredFields(description, scenarios, ids), version.Number, null);
    }

    private static async Task<IResult> CreateAsync(
        string id, ListingApplicationRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store,
        Access.AccessGate access, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var (fields, version, invalid) = await ValidateAsync(request, dataset, versions, store, ct);
        if (fields is null)
        {
            return invalid!;
        }

        // Listing offers the product for exchange: a parent's usage policy that the unit accepted and that forbids passing
        // its data on (or, for a paid product, reselling it) refuses it here, as publishing would.
        if (await access.PassOnAsync(dataset.OwnerId, DatasetAccess.ParentsOf(dataset.ToFields()), dataset.Access, ct) is { } prohibited)
        {
            return prohibited;
        }

        var row = await store.CreateAsync(dataset.Id, version, dataset.OwnerId, JsonSerializer.Serialize(fields, Http.Json.Options), clock.GetUtcNow(), AuditActor.From(http), ct);
        if (row is null)
        {
            return Problem.Conflict(ProblemCodes.ListingExists, "The dataset already has a listing application",
                "Change the open application (PUT /v1/listings/{id}), or have the verified listing revoked first.");
        }

        http.Response.Headers.Location = $"/v1/listings/{row.Id}";
        return TypedResults.Json(await ToContractAsync(row, datasets, versions, store, ct), Http.Json.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReplaceAsync(
        string id, ListingApplicationRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var current = Guid.TryParse(id, out var g) ? await store.FindAsync(g, ct) : null;
        if (current is null || current.OwnerId != http.User.OrganizationId())
        {
            return NotFound(id);
        }

        var dataset = (await datasets.FindAsync(current.DatasetId, ct))!;
        var (fields, version, invalid) = await ValidateAsync(request, dataset, versions, store, ct);
        if (fields is null)
        {
            return invalid!;
        }

        return await MoveResultAsync(id, store.MoveAsync(g, current.OwnerId, AuditActor.From(http), (row, _, _, _) => Task.FromResult(row.Editable
            ? new ListingStore.Move("update listings set fields = @fields::jsonb, version = @version, updated_at = @now where id = @id",
                new { fields = JsonSerializer.Serialize(fields, Http.Json.Options), version, now = clock.GetUtcNow(), id = g }, "updated", new { version })
            : ListingStore.Move.Refuse(WrongState(row, "changed"), wrongState: true)), ct), datasets, versions, store, ct);
    }

    private static ProblemHttpResult WrongState(ListingStore.ListingRow row, string what) =>
        Problem.Conflict(ProblemCodes.ListingStateConflict, $"The application is {row.Status}", $"A {row.Status} application cannot be {what}.");

    /// <summary>The reports an application names that expired before today (Asia/Shanghai), or null.</summary>
    private static async Task<ProblemHttpResult?> ExpiredAsync(ListingStore.ListingRow row, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var fields = Fields(row);
        var today = Dates.Today(clock);
        var expired = (await store.ReportsAsync([.. fields.Reports.Values], ct)).Where(r => r.ValidUntil < today).ToList();
        return expired.Count == 0 ? null : Problem.Conflict(ProblemCodes.AssessmentReportExpired, "An assessment report expired",
            string.Join("; ", expired.Select(r => $"{r.Kind} report {r.ReportNumber} of {r.AssessorName} was valid until {r.ValidUntil:yyyy-MM-dd}")) + ". Ask the assessor for a new report.");
    }

    private static async Task<IResult> SubmitAsync(string id, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        return await MoveResultAsync(id, store.MoveAsync(g, http.User.OrganizationId(), AuditActor.From(http), async (row, _, _, _) =>
        {
            if (!row.Editable)
            {
                return ListingStore.Move.Refuse(WrongState(row, "submitted"), wrongState: true);
            }

            return await ExpiredAsync(row, store, clock, ct) is { } expired ? ListingStore.Move.Refuse(expired)
                : new ListingStore.Move("""
                    update listings set status = 'submitted', submitted_at = @now, updated_at = @now, return_reason = null, notice_until = null,
                                        decided_at = null, decided_by = null where id = @id
                    """, new { now = clock.GetUtcNow(), id = g }, "submitted");
        }, ct), datasets, versions, store, ct);
    }

    // ---- Reading -----------------------------------------------------------------------------------------------------

    private static bool VisibleTo(ListingStore.ListingRow row, HttpContext http) =>
        row.OwnerId == http.User.OrganizationId()
        || (IsReviewer(http) && row.SubmittedAt is not null)
        || row.NoticeUntil is not null || row.Status is ListingStatuses.Verified or ListingStatuses.Revoked;

    private static async Task<IResult> GetAsync(string id, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, CancellationToken ct)
    {
        var row = Guid.TryParse(id, out var g) ? await store.FindAsync(g, ct) : null;
        return row is null || !VisibleTo(row, http) ? NotFound(id) : TypedResults.Ok(await ToContractAsync(row, datasets, versions, store, ct));
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock,
        [FromQuery] string? status, [FromQuery] string? cursor, [FromQuery] int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (status is not null && !ListingStatuses.All.Contains(status))
        {
            v.Add("status", "must be draft, submitted, returned, verified or revoked");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var caller = http.User.OrganizationId();
        // Drafts are only ever their unit's own; reviewers see what was submitted; everyone else what is under notice.
        var rows = status == ListingStatuses.Draft || (!IsReviewer(http) && http.User.HasRole(Roles.SourceUnit))
            ? await store.ListAsync(caller, status, false, clock.GetUtcNow(), after, size + 1, ct)
            : IsReviewer(http)
                ? await store.ListAsync(null, status ?? ListingStatuses.Submitted, false, clock.GetUtcNow(), after, size + 1, ct)
                : await store.ListAsync(null, null, true, clock.GetUtcNow(), after, size + 1, ct);
        var items = new List<Listing>();
        foreach (var row in rows.Take(size))
        {
            items.Add(await ToContractAsync(row, datasets, versions, store, ct));
        }

        return TypedResults.Ok(new Page<Listing>(items, rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null));
    }

    private static StoredFields Fields(ListingStore.ListingRow row) => JsonSerializer.Deserialize<StoredFields>(row.Fields, Http.Json.Options)!;

    internal static async Task<Listing> ToContractAsync(ListingStore.ListingRow row, DatasetAccess datasets, VersionAccess versions, ListingStore store, CancellationToken ct)
    {
        var fields = Fields(row);
        var dataset = (await datasets.FindAsync(row.DatasetId, ct))!;
        var files = await versions.FilesAsync(row.DatasetId, row.Version, ct);
        var reports = await store.ReportsAsync([.. fields.Reports.Values], ct);
        var objections = await store.ObjectionsAsync(row.Id, ct);
        return new Listing
        {
            Id = row.Id.ToString(),
            DatasetId = row.DatasetId.ToString(),
            DatasetTitle = row.DatasetTitle,
            Owner = new OrganizationRef(row.OwnerId.ToString(), row.OwnerName),
            Version = row.Version,
            ManifestSha256 = row.ManifestSha256,
            Status = row.Status,
            ProductDescription = fields.ProductDescription,
            Scenarios = fields.Scenarios,
            Reports = [.. reports.Select(AssessmentEndpoints.ToContract)],
            Quality = Quality(files, dataset.UpdateFrequency),
            SourceLegality = SourceChain(dataset.ToContract().Provenance),
            NoticeUntil = row.NoticeUntil is { } n ? Timestamps.Utc(n) : null,
            Objections = [.. objections.Select(o => new ListingObjection
            {
                Id = o.Id.ToString(),
                FiledBy = new OrganizationRef(o.FiledBy.ToString(), o.FiledByName),
                Reasons = o.Reasons,
                Status = o.Status,
                Resolution = o.Resolution,
                FiledAt = Timestamps.Utc(o.FiledAt),
                ResolvedAt = o.ResolvedAt is { } r ? Timestamps.Utc(r) : null,
            })],
            ReturnReason = row.ReturnReason,
            RevokedReason = row.RevokedReason,
            CertificateNumber = row.CertificateNumber,
            CreatedAt = Timestamps.Utc(row.CreatedAt),
            UpdatedAt = Timestamps.Utc(row.UpdatedAt),
            SubmittedAt = row.SubmittedAt is { } s ? Timestamps.Utc(s) : null,
            DecidedAt = row.DecidedAt is { } d ? Timestamps.Utc(d) : null,
        };
    }

    /// <summary>Rows, completeness and column types of the version's profiled files (the quality facts a reviewer checks the report against).</summary>
    private static ListingQuality Quality(IReadOnlyList<FileRow> rows, string updateFrequency)
    {
        var files = rows.Select(r => r.ToContract()).ToList();
        long cells = 0, nulls = 0, total = 0;
        foreach (var p in files.Select(f => f.Profile).Where(p => p is { Status: ProfileStatuses.Done, RowCount: not null, Columns: not null }))
        {
            total += p!.RowCount!.Value;
            cells += p.RowCount.Value * p.Columns!.Count;
            nulls += p.Columns.Sum(c => c.NullCount);
        }

        return new ListingQuality
        {
            FileCount = files.Count,
            TotalBytes = files.Sum(f => f.Size),
            RowCount = total,
            CompletenessBasisPoints = cells == 0 ? null : (int)((cells - nulls) * 10_000 / cells),
            Files = [.. files.Select(f => new ListingQualityFile(f.Path, f.Profile?.Format, f.Profile?.RowCount,
                [.. (f.Profile?.Columns ?? []).Select(c => $"{c.Name}: {c.Type}")]))],
            UpdateFrequency = updateFrequency,
        };
    }

    /// <summary>The source-legality chain (来源合法性) from the provenance: source, legal basis, and the three rights of 数据二十条.</summary>
    private static List<SourceLegalityStep> SourceChain(Provenance p) =>
    [
        new("source_type", p.SourceType, string.Join("; ", p.SourceSystems ?? [])),
        new("collection", p.CollectionMethod, p.CollectionPeriod is { } c ? $"{c.Start:yyyy-MM-dd}/{c.End:yyyy-MM-dd}" : null),
        new("legal_basis", null, p.LegalBasis),
        new("resource_holding", p.Rights?.ResourceHolding?.Holder, p.Rights?.ResourceHolding?.Basis),
        new("processing_use", p.Rights?.ProcessingUse?.Holder, p.Rights?.ProcessingUse?.Basis),
        new("product_operation", p.Rights?.ProductOperation?.Holder, p.Rights?.ProductOperation?.Basis),
        .. (p.Lineage ?? []).Select(parent => new SourceLegalityStep("lineage", parent, null)),
    ];

    // ---- Notice and objections ----------------------------------------------------------------------------------------

    private static async Task<IResult> NoticeAsync(
        string id, OpenListingNoticeRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        if (request.Days is not (>= 1 and <= 30))
        {
            return new Validation().Add("days", "must be between 1 and 30").ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        var until = clock.GetUtcNow().AddDays(request.Days.Value);
        return await MoveResultAsync(id, store.MoveAsync(g, null, AuditActor.From(http), (row, _, _, _) => Task.FromResult(
            row.SubmittedAt is null ? ListingStore.Move.Refuse(NotFound(id))
            : row.Status != ListingStatuses.Submitted || row.NoticeUntil is not null ? ListingStore.Move.Refuse(Problem.Conflict(ProblemCodes.ListingStateConflict,
                $"The application is {row.Status}", row.NoticeUntil is not null ? "Its notice was already opened." : "Only a submitted application is put on notice."), wrongState: true)
            : new ListingStore.Move("update listings set notice_until = @until, updated_at = @now where id = @id", new { until, now = clock.GetUtcNow(), id = g },
                "notice_opened", new { notice_until = until })), ct), datasets, versions, store, ct);
    }

    private static async Task<IResult> ObjectAsync(
        string id, FileObjectionRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var reasons = v.RequiredText("reasons", request.Reasons, 5000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        var caller = http.User.OrganizationId();
        var objectionId = Guid.CreateVersion7(clock.GetUtcNow());
        var result = await MoveResultAsync(id, store.MoveAsync(g, null, AuditActor.From(http), (row, _, _, _) => Task.FromResult(
            !VisibleTo(row, http) ? ListingStore.Move.Refuse(NotFound(id))
            : row.OwnerId == caller ? ListingStore.Move.Refuse(Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "The owner does not object to its own listing"))
            : row.Status != ListingStatuses.Submitted || row.NoticeUntil is not { } until || until <= clock.GetUtcNow().UtcDateTime
                ? ListingStore.Move.Refuse(Problem.Conflict(ProblemCodes.NoticeNotOpen, "The listing is not under public notice",
                    "Objections are taken while the notice runs (notice_until)."))
            : new ListingStore.Move("""
                insert into listing_objections (id, listing_id, filed_by, reasons, status, filed_at) values (@objectionId, @id, @caller, @reasons, 'open', @now)
                """, new { objectionId, id = g, caller, reasons, now = clock.GetUtcNow() }, "objection_filed", new { objection_id = objectionId })), ct),
            datasets, versions, store, ct);
        if (result is Microsoft.AspNetCore.Http.HttpResults.Ok<Listing> ok)
        {
            http.Response.Headers.Location = $"/v1/listings/{id}";
            return TypedResults.Json(ok.Value, Http.Json.Options, statusCode: StatusCodes.Status201Created);
        }

        return result;
    }

    private static async Task<IResult> ResolveAsync(
        string id, string objection, ResolveObjectionRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var resolution = v.RequiredText("resolution", request.Resolution, 5000, multiline: true);
        if (request.Outcome is not (ObjectionOutcomes.Dismissed or ObjectionOutcomes.Upheld))
        {
            v.Add("outcome", "must be dismissed or upheld");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        return await MoveResultAsync(id, store.MoveAsync(g, null, AuditActor.From(http), (row, objections, _, _) =>
        {
            var target = Guid.TryParse(objection, out var o) ? objections.FirstOrDefault(x => x.Id == o) : null;
            if (row.SubmittedAt is null)
            {
                return Task.FromResult(ListingStore.Move.Refuse(NotFound(id)));
            }

            if (target is null)
            {
                return Task.FromResult(ListingStore.Move.Refuse(Problem.NotFound(ProblemCodes.ObjectionNotFound, "Objection not found", $"The listing has no objection '{objection}'.")));
            }

            if (target.Status != "open")
            {
                return Task.FromResult(ListingStore.Move.Refuse(Problem.Conflict(ProblemCodes.ListingStateConflict, $"The objection is {target.Status}", "It was resolved already."), wrongState: true));
            }

            // An upheld objection returns the application to its unit with the resolution as the reason.
            var sql = """
                update listing_objections set status = @outcome, resolution = @resolution, resolved_by = @by, resolved_at = @now where id = @o;
                """ + (request.Outcome == ObjectionOutcomes.Upheld && row.Status == ListingStatuses.Submitted ? """
                update listings set status = 'returned', return_reason = @resolution, decided_at = @now, decided_by = @by, updated_at = @now where id = @id;
                """ : "update listings set updated_at = @now where id = @id;");
            return Task.FromResult(new ListingStore.Move(sql, new { outcome = request.Outcome, resolution, by = http.User.OrganizationId(), now, o, id = g },
                "objection_" + request.Outcome, new { objection_id = o, resolution }));
        }, ct), datasets, versions, store, ct);
    }

    // ---- Decisions ---------------------------------------------------------------------------------------------------

    private static async Task<IResult> VerifyAsync(
        string id, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, CertificateIssuer issuer, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        return await MoveResultAsync(id, store.MoveAsync(g, null, AuditActor.From(http), async (row, objections, conn, tx) =>
        {
            if (row.SubmittedAt is null)
            {
                return ListingStore.Move.Refuse(NotFound(id));
            }

            if (row.Status != ListingStatuses.Submitted)
            {
                return ListingStore.Move.Refuse(WrongState(row, "verified"), wrongState: true);
            }

            if (row.NoticeUntil is { } until && until > now.UtcDateTime)
            {
                return ListingStore.Move.Refuse(Problem.Conflict(ProblemCodes.NoticePeriodRunning, "The public notice is still running",
                    $"Objections are taken until {Timestamps.Utc(until):O}; verify after that."));
            }

            if (objections.Where(o => o.Status == "open").ToList() is { Count: > 0 } open)
            {
                return ListingStore.Move.Refuse(Problem.Conflict(ProblemCodes.ObjectionOpen, "An objection is open",
                    $"Resolve every objection first: {string.Join(", ", open.Select(o => o.Id))}."));
            }

            if (await ExpiredAsync(row, store, clock, ct) is { } expired)
            {
                return ListingStore.Move.Refuse(expired);
            }

            var dataset = (await datasets.FindAsync(row.DatasetId, ct))!;
            var fields = Fields(row);
            var reports = await store.ReportsAsync([.. fields.Reports.Values], ct);
            var reviewer = await store.OrganizationAsync(http.User.OrganizationId(), ct);
            var certificate = issuer.Issue(await ListingStore.NextCertificateSequenceAsync(conn, tx, ct), row, dataset, fields.Scenarios, reports, reviewer, now);
            return new ListingStore.Move("""
                update listings set status = 'verified', decided_at = @now, decided_by = @by, updated_at = @now where id = @id;
                insert into listing_certificates (number, listing_id, dataset_id, body, sm2_key_id, sm2_signature, ed25519_key_id, ed25519_signature, issued_at, valid_until)
                values (@Number, @id, @datasetId, @Body, @Sm2KeyId, @Sm2Signature, @Ed25519KeyId, @Ed25519Signature, @now, @ValidUntil);
                """, new
            {
                now, by = http.User.OrganizationId(), id = g, datasetId = row.DatasetId, certificate.Number, certificate.Body, certificate.Sm2KeyId,
                certificate.Sm2Signature, certificate.Ed25519KeyId, certificate.Ed25519Signature, certificate.ValidUntil,
            }, "verified", new { certificate = certificate.Number, body_sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(certificate.Body))) });
        }, ct), datasets, versions, store, ct);
    }

    private static async Task<IResult> ReturnAsync(
        string id, ListingReasonRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct) =>
        await DecideWithReasonAsync(id, request, http, datasets, versions, store, clock, ListingStatuses.Submitted, ListingStatuses.Returned, """
            update listings set status = 'returned', return_reason = @reason, decided_at = @now, decided_by = @by, updated_at = @now where id = @id
            """, ct);

    private static async Task<IResult> RevokeAsync(
        string id, ListingReasonRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct) =>
        await DecideWithReasonAsync(id, request, http, datasets, versions, store, clock, ListingStatuses.Verified, ListingStatuses.Revoked, """
            update listings set status = 'revoked', revoked_reason = @reason, revoked_at = @now, updated_at = @now where id = @id
            """, ct);

    private static async Task<IResult> DecideWithReasonAsync(
        string id, ListingReasonRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock,
        string from, string action, string sql, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.RequiredText("reason", request.Reason, 2000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(id);
        }

        return await MoveResultAsync(id, store.MoveAsync(g, null, AuditActor.From(http), (row, _, _, _) => Task.FromResult(
            row.SubmittedAt is null ? ListingStore.Move.Refuse(NotFound(id))
            : row.Status != from ? ListingStore.Move.Refuse(WrongState(row, action), wrongState: true)
            : new ListingStore.Move(sql, new { reason, now = clock.GetUtcNow(), by = http.User.OrganizationId(), id = g }, action, new { reason })), ct),
            datasets, versions, store, ct);
    }

    private static async Task<IResult> MoveResultAsync(
        string id, Task<(ListingStore.Outcome Outcome, ListingStore.ListingRow? Row, object? Refusal)> move, DatasetAccess datasets, VersionAccess versions, ListingStore store, CancellationToken ct)
    {
        var (outcome, row, refusal) = await move;
        return outcome switch
        {
            ListingStore.Outcome.NotFound => NotFound(id),
            ListingStore.Outcome.Done => TypedResults.Ok(await ToContractAsync(row!, datasets, versions, store, ct)),
            _ => (IResult)refusal!,
        };
    }
}
