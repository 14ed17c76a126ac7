using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Listings;
using DataSpace.Contracts.Versions;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Listings;

/// <summary>
/// Third-party assessors: the operator registers them with the kinds of assessment they may sign; a unit invites one for
/// one committed version of its dataset; the assessor reads that version's manifest and profiles (not the files) and
/// reports, bound to the manifest hash. Another manifest's report does not count (409 manifest_mismatch).
/// </summary>
internal static class AssessmentEndpoints
{
    public static readonly string[] Kinds = ["compliance", "quality", "valuation"];

    public static IEndpointRouteBuilder MapAssessmentEndpoints(this IEndpointRouteBuilder app)
    {
        var assessors = app.MapGroup("/v1/assessors").WithTags("Listings").RequireAuthorization(Policies.Catalog);
        assessors.MapPost("/", RegisterAsync).WithName("RegisterAssessor")
            .WithSummary("Register an organisation as a third-party assessor with the kinds of assessment it may sign; it gains the assessor role (operator)")
            .RequireAuthorization(Policies.Operator)
            .Produces<Assessor>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        assessors.MapGet("/", ListAsync).WithName("ListAssessors")
            .WithSummary("The registered assessors, by id")
            .Produces<Page<Assessor>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapPost("/v1/datasets/{id}/assessment-invitations", InviteAsync).WithTags("Listings").WithName("InviteAssessor")
            .WithSummary("Invite a registered assessor to assess one committed version, for one kind it is registered for (owner); the same invitation again answers the first")
            .RequireAuthorization(Policies.Publisher)
            .Produces<AssessmentInvitation>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        app.MapPost("/v1/datasets/{id}/versions/{n:int}/assessment-reports", ReportAsync).WithTags("Listings").WithName("SubmitAssessmentReport")
            .WithSummary("Report on a version the assessor was invited for, bound to its manifest hash (assessor). 403 assessor_not_invited without an " +
                "invitation for this version and kind; 409 manifest_mismatch when the hash is not the version's")
            .RequireAuthorization(Policies.Assessor)
            .Produces<AssessmentReport>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var invitations = app.MapGroup("/v1/assessment-invitations").WithTags("Listings").RequireAuthorization(Policies.Catalog);
        invitations.MapGet("/", ListInvitationsAsync).WithName("ListAssessmentInvitations")
            .WithSummary("Invitations the caller received (assessor) or sent (owner), by id")
            .Produces<Page<AssessmentInvitation>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        invitations.MapGet("/{id}", GetInvitationAsync).WithName("GetAssessmentInvitation")
            .WithSummary("One invitation (its owner or its assessor)")
            .Produces<AssessmentInvitation>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        invitations.MapGet("/{id}/reports", InvitationReportsAsync).WithName("ListAssessmentReports")
            .WithSummary("The reports given under an invitation, oldest first (its owner or its assessor)")
            .Produces<IReadOnlyList<AssessmentReport>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        invitations.MapGet("/{id}/version", InvitedVersionAsync).WithName("GetInvitedVersion")
            .WithSummary("The invited version with its whole manifest and file profiles, for the assessor (even of a draft dataset); the read is audited for the owner")
            .Produces<DatasetVersion>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static Assessor ToContract(ListingStore.AssessorRow r) => new()
    {
        Organization = new OrganizationRef(r.OrganizationId.ToString(), r.Name),
        UnifiedSocialCreditCode = r.UnifiedSocialCreditCode,
        Kinds = r.Kinds,
        RegisteredAt = Timestamps.Utc(r.RegisteredAt),
    };

    internal static AssessmentInvitation ToContract(ListingStore.InvitationRow r) => new()
    {
        Id = r.Id.ToString(),
        DatasetId = r.DatasetId.ToString(),
        DatasetTitle = r.DatasetTitle,
        Version = r.Version,
        ManifestSha256 = r.ManifestSha256,
        Owner = new OrganizationRef(r.OwnerId.ToString(), r.OwnerName),
        Assessor = new OrganizationRef(r.AssessorId.ToString(), r.AssessorName),
        Kind = r.Kind,
        AllowFiles = r.AllowFiles,
        CreatedAt = Timestamps.Utc(r.CreatedAt),
    };

    internal static AssessmentReport ToContract(ListingStore.ReportRow r) => new()
    {
        Id = r.Id.ToString(),
        InvitationId = r.InvitationId.ToString(),
        DatasetId = r.DatasetId.ToString(),
        Version = r.Version,
        Kind = r.Kind,
        Assessor = new OrganizationRef(r.AssessorId.ToString(), r.AssessorName),
        ManifestSha256 = r.ManifestSha256,
        Grade = r.Grade,
        Conclusion = r.Conclusion,
        ReportNumber = r.ReportNumber,
        DocumentSha256 = r.DocumentSha256,
        ValidUntil = r.ValidUntil,
        CreatedAt = Timestamps.Utc(r.CreatedAt),
    };

    private static async Task<IResult> RegisterAsync(RegisterAssessorRequest request, HttpContext http, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        Guid organizationId = default;
        if (request.OrganizationId is null || !Guid.TryParse(request.OrganizationId, out organizationId))
        {
            v.Add("organization_id", "is required and must be an organisation id");
        }

        var kinds = request.Kinds ?? [];
        if (kinds.Count == 0 || kinds.Any(k => !Kinds.Contains(k)) || kinds.Distinct().Count() != kinds.Count)
        {
            v.Add("kinds", $"must name one or more distinct kinds of: {string.Join(", ", Kinds)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var row = await store.RegisterAssessorAsync(organizationId, [.. kinds], clock.GetUtcNow(), AuditActor.From(http), ct);
        return row is null
            ? Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{request.OrganizationId}': register it first (POST /v1/organizations).")
            : TypedResults.Ok(ToContract(row));
    }

    private static async Task<IResult> ListAsync(ListingStore store, [FromQuery] string? cursor, [FromQuery] int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ListAssessorsAsync(after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, ToContract, r => Paging.CursorFor(r.OrganizationId)));
    }

    private static async Task<IResult> InviteAsync(
        string id, CreateAssessmentInvitationRequest request, HttpContext http, DatasetAccess datasets, VersionAccess versions, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        if (request.Version is not > 0)
        {
            v.Add("version", "is required: a committed version number");
        }

        Guid assessorId = default;
        if (request.AssessorId is null || !Guid.TryParse(request.AssessorId, out assessorId))
        {
            v.Add("assessor_id", "is required and must be an assessor's organisation id");
        }

        if (request.Kind is null || !Kinds.Contains(request.Kind))
        {
            v.Add("kind", $"must be one of: {string.Join(", ", Kinds)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var version = await versions.FindAsync(dataset.Id, request.Version, ct);
        if (version is not { Status: VersionStatuses.Committed })
        {
            return Problem.NotFound(ProblemCodes.VersionNotFound, "Version not found", $"Dataset {dataset.Id} has no committed version {request.Version}: assessors assess frozen manifests.");
        }

        var assessor = await store.FindAssessorAsync(assessorId, ct);
        if (assessor is null)
        {
            return Problem.NotFound(ProblemCodes.AssessorNotFound, "Assessor not found", $"'{request.AssessorId}' is not a registered assessor (GET /v1/assessors).");
        }

        if (!assessor.Kinds.Contains(request.Kind))
        {
            return Problem.Conflict(ProblemCodes.AssessmentKindNotRegistered, $"{assessor.Name} may not sign {request.Kind} assessments",
                $"It is registered for: {string.Join(", ", assessor.Kinds)}.");
        }

        var row = await store.InviteAsync(dataset.Id, version.Number, dataset.OwnerId, assessorId, request.Kind!, request.AllowFiles ?? false, clock.GetUtcNow(), AuditActor.From(http), ct);
        http.Response.Headers.Location = $"/v1/assessment-invitations/{row.Id}";
        return TypedResults.Json(ToContract(row), Http.Json.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReportAsync(
        string id, int n, SubmitAssessmentReportRequest request, HttpContext http, ListingStore store, TimeProvider clock, [FromQuery] string? kind, CancellationToken ct)
    {
        var v = new Validation();
        var grade = v.RequiredText("grade", request.Grade, 100);
        var conclusion = v.RequiredText("conclusion", request.Conclusion, 5000, multiline: true);
        var number = v.RequiredText("report_number", request.ReportNumber, 100);
        var manifest = request.ManifestSha256?.Trim().ToLowerInvariant();
        if (manifest is null || !IsSha256Hex(manifest))
        {
            v.Add("manifest_sha256", "is required: the lower-case hex SHA-256 manifest hash of the assessed version");
        }

        var document = request.DocumentSha256?.Trim().ToLowerInvariant();
        if (document is null || !IsSha256Hex(document))
        {
            v.Add("document_sha256", "is required: the lower-case hex SHA-256 of the report document");
        }

        if (request.ValidUntil is not { } validUntil)
        {
            v.Add("valid_until", "is required: the last day the report may support a listing");
            validUntil = default;
        }
        else if (validUntil < Dates.Today(clock))
        {
            v.Add("valid_until", "must not be in the past");
        }

        if (kind is null || !Kinds.Contains(kind))
        {
            v.Add("kind", $"query parameter kind must be one of: {string.Join(", ", Kinds)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var caller = http.User.OrganizationId();
        var invitation = Guid.TryParse(id, out var datasetId)
            ? (await store.FindInvitationForAsync(datasetId, n, caller, kind!, ct))
            : null;
        if (invitation is null)
        {
            return Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.AssessorNotInvited, "Not invited",
                $"You were not invited to give a {kind} assessment of version {n} of dataset '{id}'; its owner invites assessors (POST /v1/datasets/{{id}}/assessment-invitations).");
        }

        if (invitation.ManifestSha256 != manifest)
        {
            return Problem.Conflict(ProblemCodes.ManifestMismatch, "The report is for another manifest",
                $"Version {n} has manifest {invitation.ManifestSha256}; a report bound to {manifest} does not count for it.");
        }

        var row = await store.AddReportAsync(invitation, manifest!, grade, conclusion, number, document!, validUntil, clock.GetUtcNow(), AuditActor.From(http), ct);
        http.Response.Headers.Location = $"/v1/assessment-invitations/{invitation.Id}/reports";
        return TypedResults.Json(ToContract(row), Http.Json.Options, statusCode: StatusCodes.Status201Created);
    }


    internal static bool IsSha256Hex(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static async Task<IResult> ListInvitationsAsync(HttpContext http, ListingStore store, [FromQuery] string? cursor, [FromQuery] int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ListInvitationsAsync(http.User.OrganizationId(), after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, ToContract, r => Paging.CursorFor(r.Id)));
    }

    private static async Task<ListingStore.InvitationRow?> PartyAsync(string id, HttpContext http, ListingStore store, CancellationToken ct) =>
        Guid.TryParse(id, out var g) ? await store.FindInvitationAsync(g, http.User.OrganizationId(), ct) : null;

    private static ProblemHttpResult InvitationNotFound(string id) =>
        Problem.NotFound(ProblemCodes.AssessmentInvitationNotFound, "Invitation not found", $"No assessment invitation '{id}' is visible to you.");

    private static async Task<IResult> GetInvitationAsync(string id, HttpContext http, ListingStore store, CancellationToken ct) =>
        await PartyAsync(id, http, store, ct) is { } row ? TypedResults.Ok(ToContract(row)) : InvitationNotFound(id);

    private static async Task<IResult> InvitationReportsAsync(string id, HttpContext http, ListingStore store, CancellationToken ct)
    {
        var row = await PartyAsync(id, http, store, ct);
        return row is null ? InvitationNotFound(id) : TypedResults.Ok((await store.ReportsOfInvitationAsync(row.Id, ct)).Select(ToContract).ToList());
    }

    private static async Task<IResult> InvitedVersionAsync(string id, HttpContext http, ListingStore store, VersionAccess versions, AuditChain audit, CancellationToken ct)
    {
        var row = await PartyAsync(id, http, store, ct);
        if (row is null)
        {
            return InvitationNotFound(id);
        }

        var version = (await versions.FindAsync(row.DatasetId, row.Version, ct))!;
        var files = await versions.FilesAsync(row.DatasetId, row.Version, ct);
        if (row.AssessorId == http.User.OrganizationId())
        {
            await audit.AppendAsync(new AuditEntry(AuditActor.From(http), row.OwnerId, "manifest", $"{row.DatasetId}/{row.Version}", "read",
                "assessment_invitation", row.Id.ToString()), ct);
        }

        return TypedResults.Ok(version.ToContract([.. files.Select(f => f.ToContract())]) with { View = Previews.ManifestAccess.Full });
    }
}
