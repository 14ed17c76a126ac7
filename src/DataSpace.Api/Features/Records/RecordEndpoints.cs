using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Organizations;
using DataSpace.Api.Http;
using DataSpace.Api.OpenApi;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Records;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Records;

/// <summary>
/// The workflow every record kind shares: a unit creates and edits drafts, submits them to the bureau, and opens a new
/// revision to change a verified one; the bureau works through its review queue, verifying or returning with a reason.
/// Another unit's record is 404; every change, and every read by someone other than the owner, is an audit event.
/// </summary>
internal static class RecordEndpoints
{
    public static IEndpointRouteBuilder MapRecordEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var kind in RecordKind.All)
        {
            MapKind(app, kind);
        }

        return app;
    }

    private static void MapKind(IEndpointRouteBuilder app, RecordKind kind)
    {
        var (fieldsType, contractType) = (kind.FieldsType, kind.ContractType);
        var singular = kind.Name.Replace('_', ' ');
        var group = app.MapGroup($"/v1/{kind.Path}").WithTags(kind.Tag).RequireAuthorization(Policies.RecordsReader);
        var pascal = string.Concat(kind.Name.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

        group.MapPost("/", (JsonObject body, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) => CreateAsync(kind, body, http, store, clock, ct))
            .WithName($"Create{pascal}").WithSummary($"Create a {singular} as a private draft (source unit)")
            .RequireAuthorization(Policies.RecordKeeper).Idempotent()
            .WithMetadata(new DocumentedBody(fieldsType, "application/json"))
            .Produces(StatusCodes.Status201Created, contractType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/", (HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
                    [FromQuery] string? status, [FromQuery] string? unit, [FromQuery] string? cursor, [FromQuery] int? limit) =>
                ListAsync(kind, http, store, audit, clock, status, unit, cursor, limit, ct))
            .WithName($"List{pascal}s").WithSummary($"A unit's own {singular} records (newest revision each, drafts included), or for the bureau every record submitted to it; filter by status (and unit for the bureau)")
            .Produces(StatusCodes.Status200OK, typeof(Page<>).MakeGenericType(contractType))
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", (string id, HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct) => GetAsync(kind, id, null, http, store, audit, clock, ct))
            .WithName($"Get{pascal}").WithSummary($"The newest revision of a {singular} the caller may see (owner: any; bureau: the newest submitted)")
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/revisions/{revision:int}", (string id, int revision, HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct) =>
                GetAsync(kind, id, revision, http, store, audit, clock, ct))
            .WithName($"Get{pascal}Revision").WithSummary($"One revision of a {singular}")
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", (string id, JsonObject patch, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) => PatchAsync(kind, id, patch, http, store, clock, ct))
            .WithName($"Update{pascal}").WithSummary($"Change a draft or returned {singular} (JSON Merge Patch, RFC 7386; owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .WithMetadata(new DocumentedBody(fieldsType, "application/merge-patch+json"))
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/submit", (string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) => SubmitAsync(kind, id, http, store, clock, ct))
            .WithName($"Submit{pascal}").WithSummary($"Submit a draft or returned {singular} to the data bureau: it becomes visible to the bureau and read-only (owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/revisions", (string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) => ReviseAsync(kind, id, http, store, clock, ct))
            .WithName($"Revise{pascal}").WithSummary($"Open a new draft revision of a verified {singular}; the verified one stays in force until the new one is verified (owner)")
            .RequireAuthorization(Policies.RecordKeeper)
            .Produces(StatusCodes.Status201Created, contractType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        if (kind is DataAssetKind)
        {
            DataAssetEndpoints.Map(group);
        }
        else
        {
            RecordFileEndpoints.MapEvidence(group, kind, pascal);
        }

        var review = app.MapGroup($"/v1/review/{kind.Path}").WithTags("Review").RequireAuthorization(Policies.RecordsBureau);
        review.MapGet("/", (HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct, [FromQuery] string? cursor, [FromQuery] int? limit) =>
                QueueAsync(kind, http, store, audit, clock, cursor, limit, ct))
            .WithName($"Review{pascal}s").WithSummary($"Submitted {singular} revisions waiting for the bureau, oldest submission first")
            .Produces(StatusCodes.Status200OK, typeof(Page<>).MakeGenericType(contractType))
            .ProducesProblem(StatusCodes.Status400BadRequest);
        review.MapPost("/{id}/verify", (string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) => VerifyAsync(kind, id, http, store, clock, ct))
            .WithName($"Verify{pascal}").WithSummary($"Verify a submitted {singular}: frozen with a content hash; an older verified revision becomes superseded (bureau)")
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/{id}/return", (string id, ReturnRecordRequest request, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct) =>
                ReturnAsync(kind, id, request, http, store, clock, ct))
            .WithName($"Return{pascal}").WithSummary($"Return a submitted {singular} to its unit with a reason; the unit may change and resubmit it (bureau)")
            .Produces(StatusCodes.Status200OK, contractType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        if (kind.ConsentCategory is { } category)
        {
            app.MapGet($"/v1/authority/units/{{unit}}/{kind.Path}",
                    (string unit, HttpContext http, OrganizationStore organizations, ConsentGate gate, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
                        [FromQuery] string? cursor, [FromQuery] int? limit) => AuthorityListAsync(kind, category, unit, http, organizations, gate, store, audit, clock, cursor, limit, ct))
                .WithTags("Authority").RequireAuthorization(Policies.ConsentGrantee)
                .WithName($"AuthorityList{pascal}s")
                .WithSummary($"A unit's {singular} records, drafts included, under its consent (category {category})")
                .Produces(StatusCodes.Status200OK, typeof(Page<>).MakeGenericType(contractType))
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status404NotFound);
        }
    }

    internal static ProblemHttpResult NotFound(RecordKind kind, string id) =>
        Problem.NotFound(ProblemCodes.RecordNotFound, "Record not found", $"No {kind.Name.Replace('_', ' ')} '{id}' is visible to you.");

    internal static IResult Json(RecordKind kind, RecordStore.RecordRow row, TimeProvider clock, int status = StatusCodes.Status200OK) =>
        TypedResults.Json<object>(kind.ToContract(row, Dates.Today(clock)), Http.Json.Options, statusCode: status);

    private static async Task<IResult> CreateAsync(RecordKind kind, JsonObject body, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        RefuseManaged(kind, body, v);
        var owner = http.User.OrganizationId();
        var fields = v.IsValid ? await kind.ValidateAsync(body, null, owner, store, v, ct) : null;
        if (fields is null)
        {
            return v.ToProblem();
        }

        var row = await store.CreateAsync(kind, owner, fields.ToJsonString(Http.Json.Options), clock.GetUtcNow(), AuditActor.From(http), ct);
        http.Response.Headers.Location = $"/v1/{kind.Path}/{row.Id}";
        return Json(kind, row, clock, StatusCodes.Status201Created);
    }

    private static void RefuseManaged(RecordKind kind, JsonObject body, Validation v)
    {
        foreach (var member in kind.ManagedMembers.Where(body.ContainsKey))
        {
            v.Add(member, member == "evidence"
                ? $"is set by uploading the file: PUT /v1/{kind.Path}/{{id}}/evidence"
                : $"is added one at a time: POST /v1/{kind.Path}/{{id}}/{member}");
        }
    }

    private static async Task<IResult> ListAsync(
        RecordKind kind, HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, string? status, string? unit, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (status is not null and not (RecordStatuses.Draft or RecordStatuses.Submitted or RecordStatuses.Returned or RecordStatuses.Verified))
        {
            v.Add("status", "must be draft, submitted, returned or verified");
        }

        var bureau = !http.User.HasRole(Roles.SourceUnit);
        Guid? unitId = null;
        if (unit is not null)
        {
            if (!bureau)
            {
                v.Add("unit", "is for the bureau; a unit lists its own records");
            }
            else if (Guid.TryParse(unit, out var u))
            {
                unitId = u;
            }
            else
            {
                v.Add("unit", "is not an organisation id");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var org = http.User.OrganizationId();
        var rows = await store.ListAsync(kind, bureau ? RecordStore.Viewer.Bureau : RecordStore.Viewer.Owner, org, unitId, status, after, size + 1, ct);
        if (bureau)
        {
            await AuditSubmissionReadsAsync(kind, rows.Take(size), http, audit, ct);
        }

        return PageOf(kind, rows, size, clock, r => Paging.CursorFor(r.Id));
    }

    private static JsonHttpResult<Page<object>> PageOf(RecordKind kind, IReadOnlyList<RecordStore.RecordRow> rows, int size, TimeProvider clock, Func<RecordStore.RecordRow, string> cursorOf)
    {
        var today = Dates.Today(clock);
        // Declared as object, each item is written as its runtime type (DataAsset, DcmmCertificate, DataSpacePilot).
        return TypedResults.Json(new Page<object>([.. rows.Take(size).Select(r => (object)kind.ToContract(r, today))], rows.Count > size ? cursorOf(rows[size - 1]) : null),
            Http.Json.Options);
    }

    /// <summary>Finds what the caller may see: the owner's record, else (for the bureau) what was submitted to it; bureau reads are audited.</summary>
    internal static async Task<RecordStore.RecordRow?> VisibleAsync(RecordKind kind, string id, int? revision, HttpContext http, RecordStore store, AuditChain audit, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return null;
        }

        var org = http.User.OrganizationId();
        var own = await store.FindAsync(kind, g, RecordStore.Viewer.Owner, org, revision, ct);
        if (own is not null || !http.User.HasRole(Roles.DataBureau))
        {
            return own;
        }

        var shared = await store.FindAsync(kind, g, RecordStore.Viewer.Bureau, org, revision, ct);
        if (shared is not null)
        {
            await audit.AppendAsync(new AuditEntry(AuditActor.From(http), shared.OwnerId, kind.Name, $"{shared.Id}/{shared.Revision}", "read", "submission", null), ct);
        }

        return shared;
    }

    private static async Task<IResult> GetAsync(RecordKind kind, string id, int? revision, HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, CancellationToken ct)
    {
        var row = await VisibleAsync(kind, id, revision, http, store, audit, ct);
        return row is null ? NotFound(kind, id) : Json(kind, row, clock);
    }

    private static async Task<IResult> PatchAsync(RecordKind kind, string id, JsonObject patch, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        RefuseManaged(kind, patch, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(kind, id);
        }

        var owner = http.User.OrganizationId();
        var (outcome, row) = await store.ChangeAsync(kind, g, owner, clock.GetUtcNow(), AuditActor.From(http), async (current, _, _) =>
        {
            var stored = JsonNode.Parse(current.Fields)!.AsObject();
            var merged = (JsonObject)MergePatch.Apply(kind.Entered(stored), patch)!;
            var fields = await kind.ValidateAsync(merged, stored, owner, store, v, ct);
            return fields is null ? null : new RecordStore.Change(fields.ToJsonString(Http.Json.Options), "updated", new { members = patch.Select(p => p.Key).ToArray() });
        }, ct);
        return Outcome(kind, id, outcome, row, v, clock);
    }

    internal static IResult Outcome(RecordKind kind, string id, RecordStore.ChangeOutcome outcome, RecordStore.RecordRow? row, Validation v, TimeProvider clock) => outcome switch
    {
        RecordStore.ChangeOutcome.NotFound => NotFound(kind, id),
        RecordStore.ChangeOutcome.NotEditable => NotEditable(row!),
        RecordStore.ChangeOutcome.Refused => v.ToProblem(),
        _ => Json(kind, row!, clock),
    };

    internal static ProblemHttpResult NotEditable(RecordStore.RecordRow row) =>
        Problem.Conflict(ProblemCodes.RecordNotEditable, $"Revision {row.Revision} is {row.Status}", row.Status switch
        {
            RecordStatuses.Submitted => "The bureau is reviewing it; it can be changed again if the bureau returns it.",
            _ => $"A verified record is frozen. Open a new revision: POST .../{row.Id}/revisions.",
        });

    private static async Task<IResult> SubmitAsync(RecordKind kind, string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(kind, id);
        }

        var owner = http.User.OrganizationId();
        var current = await store.FindAsync(kind, g, RecordStore.Viewer.Owner, owner, null, ct);
        if (current is null)
        {
            return NotFound(kind, id);
        }

        if (current.Editable && kind.MissingForSubmission(JsonNode.Parse(current.Fields)!.AsObject()) is { } missing)
        {
            return Problem.Conflict(ProblemCodes.RecordIncomplete, "The record is not complete", missing);
        }

        var (outcome, row) = await store.SubmitAsync(kind, g, owner, clock.GetUtcNow(), AuditActor.From(http), ct);
        return outcome switch
        {
            RecordStore.MoveOutcome.NotFound => NotFound(kind, id),
            RecordStore.MoveOutcome.WrongState => NotEditable(row!),
            _ => Json(kind, row!, clock),
        };
    }

    private static async Task<IResult> ReviseAsync(RecordKind kind, string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(kind, id);
        }

        var (outcome, row) = await store.ReviseAsync(kind, g, http.User.OrganizationId(), clock.GetUtcNow(), AuditActor.From(http), ct);
        return outcome switch
        {
            RecordStore.MoveOutcome.NotFound => NotFound(kind, id),
            RecordStore.MoveOutcome.WrongState => Problem.Conflict(ProblemCodes.RecordNotVerified, $"Revision {row!.Revision} is {row.Status}",
                row.Status is RecordStatuses.Draft or RecordStatuses.Returned ? "It can be changed as it is: PATCH it." : "Only a verified record takes a new revision."),
            _ => Json(kind, row!, clock, StatusCodes.Status201Created),
        };
    }

    // ---- The bureau ----------------------------------------------------------------------------------------------

    private static async Task<IResult> QueueAsync(RecordKind kind, HttpContext http, RecordStore store, AuditChain audit, TimeProvider clock, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var size = Paging.ReadLimit(limit, v);
        var (afterAt, afterId) = ReadQueueCursor(cursor, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ReviewQueueAsync(kind, afterAt, afterId, size + 1, ct);
        await AuditSubmissionReadsAsync(kind, rows.Take(size), http, audit, ct);
        return PageOf(kind, rows, size, clock, r => QueueCursor(r.SubmittedAt!.Value, r.Id));
    }

    /// <summary>A bureau list or queue read is a read of each listed unit's submissions: every unit sees which of its revisions were read.</summary>
    private static async Task AuditSubmissionReadsAsync(RecordKind kind, IEnumerable<RecordStore.RecordRow> rows, HttpContext http, AuditChain audit, CancellationToken ct) =>
        await Task.WhenAll(rows.GroupBy(r => r.OwnerId).Select(unit => audit.AppendAsync(new AuditEntry(AuditActor.From(http), unit.Key, kind.Name, unit.Key.ToString(), "listed",
            "submission", null, new { revisions = unit.Select(r => $"{r.Id}/{r.Revision}").ToArray() }), ct)));

    private static string QueueCursor(DateTime at, Guid id)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.Ticks);
        id.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    private static (DateTime? At, Guid? Id) ReadQueueCursor(string? cursor, Validation v)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, null);
        }

        Span<byte> bytes = stackalloc byte[24];
        if (cursor.Length == 32 && Convert.TryFromBase64String(cursor.Replace('-', '+').Replace('_', '/'), bytes, out var n) && n == 24)
        {
            var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
            if (ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
            {
                return (new DateTime(ticks, DateTimeKind.Utc), new Guid(bytes[8..], bigEndian: true));
            }
        }

        v.Add("cursor", "is not a cursor this API returned");
        return (null, null);
    }

    private static async Task<IResult> VerifyAsync(RecordKind kind, string id, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(kind, id);
        }

        var (outcome, row) = await store.VerifyAsync(kind, g, clock.GetUtcNow(), AuditActor.From(http), ct);
        return Decided(kind, id, outcome, row, clock);
    }

    private static async Task<IResult> ReturnAsync(RecordKind kind, string id, ReturnRecordRequest request, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.RequiredText("reason", request.Reason, 2000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (!Guid.TryParse(id, out var g))
        {
            return NotFound(kind, id);
        }

        var (outcome, row) = await store.ReturnAsync(kind, g, reason, clock.GetUtcNow(), AuditActor.From(http), ct);
        return Decided(kind, id, outcome, row, clock);
    }

    private static IResult Decided(RecordKind kind, string id, RecordStore.MoveOutcome outcome, RecordStore.RecordRow? row, TimeProvider clock) => outcome switch
    {
        RecordStore.MoveOutcome.NotFound => NotFound(kind, id),
        RecordStore.MoveOutcome.WrongState => Problem.Conflict(ProblemCodes.RecordNotSubmitted, $"Revision {row!.Revision} is {row.Status}",
            "Only a submitted revision can be verified or returned."),
        _ => Json(kind, row!, clock),
    };

    // ---- Authorities, under consent --------------------------------------------------------------------------------

    private static async Task<IResult> AuthorityListAsync(
        RecordKind kind, string category, string unit, HttpContext http, OrganizationStore organizations, ConsentGate gate, RecordStore store, AuditChain audit,
        TimeProvider clock, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var row = Guid.TryParse(unit, out var unitId) ? await organizations.FindAsync(unitId, ct) : null;
        if (row is null || !row.Roles.Contains(Roles.SourceUnit))
        {
            return Problem.NotFound(ProblemCodes.OrganizationNotFound, "Unit not found", $"No source unit has id '{unit}'.");
        }

        var decision = await gate.CheckAsync(http.User, unitId, category, null, ct);
        if (decision.Allowed.Count == 0)
        {
            return decision.Problem(category);
        }

        var consent = decision.MostSpecific(null)!;
        var rows = await store.ListAsync(kind, RecordStore.Viewer.Consented, unitId, null, null, after, size + 1, ct);
        await audit.AppendAsync(new AuditEntry(AuditActor.From(http), unitId, kind.Name, unitId.ToString(), "read", "consent", consent.Id.ToString(),
            new { category, count = Math.Min(rows.Count, size) }), ct);
        http.Response.Headers[ConsentGate.ConsentHeader] = consent.Id.ToString();
        return PageOf(kind, rows, size, clock, r => Paging.CursorFor(r.Id));
    }
}
