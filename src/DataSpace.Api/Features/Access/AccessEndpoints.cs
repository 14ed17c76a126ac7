using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Datasets;
using DataSpace.Usage;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// Access beyond payment: a dataset's access policy (open, terms, approval), access requests and the owner's answers,
/// data grants, and the views of who holds access under which policy. Enforcement is <see cref="AccessGate"/>'s.
/// </summary>
internal static class AccessEndpoints
{
    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        var dataset = app.MapGroup("/v1/datasets/{id}").WithTags("Access").RequireAuthorization(Policies.Catalog);
        dataset.MapGet("/access-policy", GetPolicy).WithName("GetAccessPolicy")
            .WithSummary("How organisations get access: open, terms (accept and order) or approval (the owner approves each request), with the request fields")
            .ProducesProblem(StatusCodes.Status404NotFound);
        dataset.MapPut("/access-policy", SetPolicy).WithName("SetAccessPolicy")
            .WithSummary("Set the access policy: open or approval for a free dataset, terms or approval for a paid one; the review SLA, custom request fields " +
                "and auto-approval rules (listed organisations or roles, holders of verified records or listing certificates) (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        dataset.MapPost("/access-requests", CreateRequest).WithName("CreateAccessRequest")
            .WithSummary("Ask the owner of an approval-gated dataset for access: purpose, use case, answers, contact and agreement to disclose your identity. " +
                "A rejected or expired requester may ask again; the new request names the previous one")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        dataset.MapGet("/access-requests", DatasetRequests).WithName("ListDatasetAccessRequests")
            .WithSummary("The dataset's access requests, newest first: all of them for the owner, your own for anyone else")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        dataset.MapPost("/grants", CreateGrant).WithName("CreateGrant")
            .WithSummary("Grant an organisation access without payment until a date, for a purpose; it counts once the receiver accepts (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        dataset.MapGet("/grants", DatasetGrants).WithName("ListDatasetGrants")
            .WithSummary("The dataset's grants and approvals, newest first (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        dataset.MapGet("/holders", Holders).WithName("ListDatasetHolders")
            .WithSummary("Who holds access to the dataset (entitlements, grants, approvals) under which policy, and whether it is effective now (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var requests = app.MapGroup("/v1/access-requests").WithTags("Access").RequireAuthorization(Policies.Catalog);
        requests.MapGet("/", MyRequests).WithName("ListMyAccessRequests").WithSummary("Your organisation's access requests, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        requests.MapGet("/{requestId}", GetRequest).WithName("GetAccessRequest").WithSummary("One access request, for its requester and the dataset's owner")
            .ProducesProblem(StatusCodes.Status404NotFound);
        requests.MapPost("/{requestId}/approve", Approve).WithName("ApproveAccessRequest")
            .WithSummary("Approve a pending request, optionally narrowing it to versions and an end date; a free dataset opens at once, a paid one may then be ordered (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        requests.MapPost("/{requestId}/reject", Reject).WithName("RejectAccessRequest")
            .WithSummary("Reject a pending request with a reason the requester sees (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var grants = app.MapGroup("/v1/grants").WithTags("Access").RequireAuthorization(Policies.Catalog);
        grants.MapGet("/", MyGrants).WithName("ListMyGrants").WithSummary("Grants and approvals your organisation received, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        grants.MapPost("/{grantId}/accept", AcceptGrant).WithName("AcceptGrant")
            .WithSummary("Accept a pending grant: it counts from the next request; when the dataset has terms, this accepts their current version with the grant's purpose (receiver)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        grants.MapPost("/{grantId}/drop", DropGrant).WithName("DropGrant")
            .WithSummary("Give up a grant or approval your organisation holds; effective from the next request (receiver)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        grants.MapPost("/{grantId}/revoke", RevokeGrant).WithName("RevokeGrant")
            .WithSummary("Revoke a grant or approval with a reason; effective from the next request, the next range of a download included (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/v1/entitlements/{entitlementId}/drop", DropEntitlement).WithTags("Access").WithName("DropEntitlement")
            .WithSummary("Give up an entitlement from an order your organisation holds; effective from the next request (no refund)")
            .RequireAuthorization(Policies.Catalog)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/holdings", MyHoldings).WithTags("Access").WithName("ListMyHoldings")
            .WithSummary("Your organisation's entitlements, grants and approvals with the usage policy that governs each and whether it lets a download through now")
            .RequireAuthorization(Policies.Catalog);
        return app;
    }

    private static async Task<Results<Ok<AccessPolicy>, ProblemHttpResult>> GetPolicy(string id, HttpContext http, DatasetAccess datasets, AccessStore store, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        return dataset is null ? problem! : TypedResults.Ok(await PolicyOf(dataset, store, ct));
    }

    private static async Task<AccessPolicy> PolicyOf(DatasetRow dataset, AccessStore store, CancellationToken ct) =>
        (await store.PolicyAsync(dataset.Id, ct))?.ToContract() ?? new AccessPolicy(dataset.Id.ToString(), AccessGate.Default(dataset), AccessStore.DefaultSlaHours, [], [], [], []);

    private static async Task<Results<Ok<AccessPolicy>, ProblemHttpResult>> SetPolicy(
        string id, SetAccessPolicyRequest request, HttpContext http, DatasetAccess datasets, AccessStore store, Terms.TermsStore terms, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        var allowed = dataset.Access == AccessModes.Paid ? new[] { AccessGate.Terms, AccessGate.Approval } : [AccessGate.Open, AccessGate.Approval];
        if (request.Policy is null || !allowed.Contains(request.Policy))
        {
            v.Add("policy", $"must be {string.Join(" or ", allowed)} for a{(dataset.Access == AccessModes.Paid ? " paid" : "n open")} dataset");
        }

        if (request.ReviewSlaHours is < 1 or > 8760)
        {
            v.Add("review_sla_hours", "must be between 1 and 8760 hours");
        }

        var fields = request.RequestFields ?? [];
        if (fields.Count > 20)
        {
            v.Add("request_fields", "must be at most 20 fields");
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name is not { Length: >= 1 and <= 64 } name || !name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
            {
                v.Add($"request_fields[{i}].name", "must be 1–64 lower-case letters, digits or underscores");
            }

            v.RequiredText($"request_fields[{i}].label", fields[i].Label, 500);
        }

        if (fields.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != fields.Count)
        {
            v.Add("request_fields", "names must be unique");
        }

        var autoOrganizations = new List<Guid>();
        foreach (var org in request.AutoApproveOrganizations ?? [])
        {
            if (Guid.TryParse(org, out var g))
            {
                autoOrganizations.Add(g);
            }
            else
            {
                v.Add("auto_approve_organizations", "must be organisation ids");
            }
        }

        var autoRoles = request.AutoApproveRoles ?? [];
        if (autoRoles.Any(r => !Roles.All.Contains(r)))
        {
            v.Add("auto_approve_roles", $"must be among {string.Join(", ", Roles.All)}");
        }

        var certificates = request.AutoApproveCertificates ?? [];
        if (certificates.Count > 10)
        {
            v.Add("auto_approve_certificates", "must be at most 10 rules");
        }

        for (var i = 0; i < certificates.Count; i++)
        {
            var rule = certificates[i];
            if (rule is null || rule.Kind is null || !CertificateKinds.All.Contains(rule.Kind))
            {
                v.Add($"auto_approve_certificates[{i}].kind", $"must be among {string.Join(", ", CertificateKinds.All)}");
            }
            else if (rule.MinLevel is { } level && (rule.Kind != "dcmm_certificate" || level is < 1 or > 5))
            {
                v.Add($"auto_approve_certificates[{i}].min_level", rule.Kind == "dcmm_certificate"
                    ? "must be a DCMM level from 1 (初始级) to 5 (优化级)"
                    : "applies to dcmm_certificate only");
            }
        }

        if (certificates.Distinct().Count() != certificates.Count)
        {
            v.Add("auto_approve_certificates", "must not repeat a rule");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // A usage policy binds only uses that declare a purpose: an open dataset would not enforce it.
        if (request.Policy == AccessGate.Open && (await terms.CurrentAsync(dataset.Id, ct))?.Policy is not null)
        {
            return Problem.Conflict(ProblemCodes.PolicyNeedsGatedAccess, "The dataset's terms carry a usage policy",
                "An open dataset is downloaded without an agreement, so its usage policy could not be enforced. Set terms without a policy first.");
        }

        var row = await store.SetPolicyAsync(dataset.Id, dataset.OwnerId, request.Policy!, request.ReviewSlaHours ?? AccessStore.DefaultSlaHours,
            [.. fields.Select(f => f with { Label = f.Label.Trim() })], [.. autoOrganizations.Distinct().Order()], [.. autoRoles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. certificates.Select(c => new AutoApproveCertificate { Kind = c.Kind, MinLevel = c.MinLevel })], clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Ok(row.ToContract());
    }

    private static async Task<Results<Created<AccessRequest>, ProblemHttpResult>> CreateRequest(
        string id, CreateAccessRequest request, HttpContext http, DatasetAccess datasets, AccessStore store, AccessGate gate, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var me = http.User.OrganizationId();
        if (dataset.IsOwnedBy(me))
        {
            return Problem.Conflict(ProblemCodes.OwnDataset, "You own this dataset", "Owners need no access request.");
        }

        var policy = await store.PolicyAsync(dataset.Id, ct);
        if (dataset.Status != DatasetStatuses.Published || policy?.Policy != AccessGate.Approval)
        {
            return Problem.Conflict(ProblemCodes.AccessNotRequestable, "This dataset takes no access requests",
                dataset.Status != DatasetStatuses.Published ? $"It is {dataset.Status}." : $"Its access policy is {policy?.Policy ?? AccessGate.Default(dataset)}, not approval.");
        }

        var v = new Validation();
        if (request.Purpose is null || !UsagePolicies.Purposes.Contains(request.Purpose))
        {
            v.Add("purpose", $"must be among {string.Join(", ", UsagePolicies.Purposes)}");
        }

        var useCase = v.RequiredText("use_case", request.UseCase, 5000, multiline: true);
        var contact = v.RequiredText("contact", request.Contact, 300);
        if (request.DiscloseIdentity != true)
        {
            v.Add("disclose_identity", "must be true: the owner decides knowing who asks");
        }

        var answers = request.Answers ?? new Dictionary<string, string>();
        var fields = policy.Fields;
        foreach (var unknown in answers.Keys.Where(k => fields.All(f => f.Name != k)).Order(StringComparer.Ordinal))
        {
            v.Add($"answers.{unknown}", "is not one of the owner's request fields");
        }

        var cleaned = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            answers.TryGetValue(field.Name, out var answer);
            if (field.Required || !string.IsNullOrWhiteSpace(answer))
            {
                cleaned[field.Name] = v.RequiredText($"answers.{field.Name}", answer, 5000, multiline: true);
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var row = await store.CreateRequestAsync(dataset.Id, dataset.OwnerId, me, http.User.ClientId(), request.Purpose!, useCase, cleaned, contact,
            now, now.AddHours(policy.ReviewSlaHours), AuditActor.From(http), ct);
        if (row is null)
        {
            return Problem.Conflict(ProblemCodes.AccessRequestOpen, "You already have a request waiting", "Wait for the owner's answer or for the request to expire.");
        }

        // The owner's rules approve listed organisations, roles and holders of verified records or certificates at once,
        // within what the usage policy allows.
        var rule = policy.AutoApproveOrganizations.Contains(me) ? "organization"
            : policy.AutoApproveRoles.FirstOrDefault(http.User.IsInRole) is { } role ? "role " + role
            : policy.Certificates.Count > 0 ? await store.CertificateMatchAsync(me, policy.Certificates, now, ReportingPeriods.DateOf(now), ct)
            : null;
        if (rule is not null
            && await gate.OnBehalfAsync(dataset.Id, me, row.Purpose, ct) is null
            && await store.ApproveAsync(row, null, null, rule, now, AuditActor.From(http), ct))
        {
            row = (await store.FindRequestAsync(row.Id, ct))!;
        }

        return TypedResults.Created($"/v1/access-requests/{row.Id}", row.ToContract(now));
    }

    private static async Task<Results<Ok<Page<AccessRequest>>, ProblemHttpResult>> DatasetRequests(
        string id, HttpContext http, DatasetAccess datasets, AccessStore store, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var me = http.User.OrganizationId();
        return await RequestPage(store, dataset.Id, dataset.IsOwnedBy(me) ? null : me, cursor, limit, clock, ct);
    }

    private static Task<Results<Ok<Page<AccessRequest>>, ProblemHttpResult>> MyRequests(
        HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null) =>
        RequestPage(store, null, http.User.OrganizationId(), cursor, limit, clock, ct);

    private static Task<Results<Ok<Page<AccessRequest>>, ProblemHttpResult>> RequestPage(
        AccessStore store, Guid? datasetId, Guid? requester, string? cursor, int? limit, TimeProvider clock, CancellationToken ct) =>
        PageAsync(cursor, limit, (before, size) => store.RequestsAsync(datasetId, requester, before, size, ct), clock, (r, now) => r.ToContract(now), r => r.Id);

    /// <summary>One newest-first page of requests or grants: the cursor and limit read, one row more fetched to know whether another page follows.</summary>
    private static async Task<Results<Ok<Page<TItem>>, ProblemHttpResult>> PageAsync<TRow, TItem>(
        string? cursor, int? limit, Func<Guid?, int, Task<IReadOnlyList<TRow>>> load, TimeProvider clock, Func<TRow, DateTimeOffset, TItem> map, Func<TRow, Guid> id)
    {
        var v = new Validation();
        var (before, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var rows = await load(before, size + 1);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => map(r, now), r => Paging.CursorFor(id(r))));
    }

    /// <summary>A request its requester or the dataset's owner may see; anyone else gets 404.</summary>
    private static async Task<(AccessStore.RequestRow? Row, ProblemHttpResult? Problem)> FindRequestAsync(string requestId, HttpContext http, AccessStore store, bool ownerOnly, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var row = Guid.TryParse(requestId, out var rid) ? await store.FindRequestAsync(rid, ct) : null;
        return row is not null && (row.OwnerId == me || (!ownerOnly && row.RequesterId == me))
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.AccessRequestNotFound, "Access request not found", $"No access request with id '{requestId}' is yours to see."));
    }

    private static async Task<Results<Ok<AccessRequest>, ProblemHttpResult>> GetRequest(string requestId, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindRequestAsync(requestId, http, store, ownerOnly: false, ct);
        return row is null ? problem! : TypedResults.Ok(row.ToContract(clock.GetUtcNow()));
    }

    private static ProblemHttpResult NotPending(AccessStore.RequestRow row, DateTimeOffset now) => row.StatusAt(now) == AccessRequestStatuses.Expired
        ? Problem.Conflict(ProblemCodes.AccessRequestExpired, "The request expired unanswered", $"It expired at {row.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}; the requester may ask again.")
        : Problem.Conflict(ProblemCodes.AccessRequestNotPending, "The request was already answered", $"It is {row.StatusAt(now)}.");

    private static async Task<Results<Ok<AccessRequest>, ProblemHttpResult>> Approve(
        string requestId, ApproveAccessRequest request, HttpContext http, AccessStore store, AccessGate gate, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindRequestAsync(requestId, http, store, ownerOnly: true, ct);
        if (row is null)
        {
            return problem!;
        }

        var now = clock.GetUtcNow();
        var v = new Validation();
        if (request.ValidUntil is { } until && until <= now)
        {
            v.Add("valid_until", "must be in the future");
        }

        if (request.Versions is { } versions && (versions.Count == 0 || versions.Any(n => n < 1)))
        {
            v.Add("versions", "must list version numbers (1 or more); omit it for every version");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (row.StatusAt(now) != AccessRequestStatuses.Pending)
        {
            return NotPending(row, now);
        }

        // The owner cannot approve what its own usage policy forbids for this requester and purpose.
        if (await gate.OnBehalfAsync(row.DatasetId, row.RequesterId, row.Purpose, ct) is { } denial)
        {
            return Problem.Conflict(denial.Code, denial.Title, denial.Detail);
        }

        return await store.ApproveAsync(row, request.ValidUntil?.ToUniversalTime(), request.Versions is { } vs ? [.. vs.Distinct().Order()] : null, autoRule: null, now, AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindRequestAsync(row.Id, ct))!.ToContract(now))
            : NotPending((await store.FindRequestAsync(row.Id, ct))!, now);
    }

    private static async Task<Results<Ok<AccessRequest>, ProblemHttpResult>> Reject(
        string requestId, ReasonRequest request, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindRequestAsync(requestId, http, store, ownerOnly: true, ct);
        if (row is null)
        {
            return problem!;
        }

        var v = new Validation();
        var reason = v.RequiredText("reason", request.Reason, 2000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        return await store.RejectAsync(row, reason, now, AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindRequestAsync(row.Id, ct))!.ToContract(now))
            : NotPending((await store.FindRequestAsync(row.Id, ct))!, now);
    }

    private static async Task<Results<Created<Grant>, ProblemHttpResult>> CreateGrant(
        string id, CreateGrantRequest request, HttpContext http, DatasetAccess datasets, AccessStore store, AccessGate gate, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var now = clock.GetUtcNow();
        var v = new Validation();
        if (!Guid.TryParse(request.OrganizationId, out var grantee))
        {
            v.Add("organization_id", "must be an organisation id");
        }
        else if (dataset.IsOwnedBy(grantee))
        {
            v.Add("organization_id", "must be another organisation than the owner");
        }

        if (request.Purpose is null || !UsagePolicies.Purposes.Contains(request.Purpose))
        {
            v.Add("purpose", $"must be among {string.Join(", ", UsagePolicies.Purposes)}");
        }

        if (request.ValidUntil is not { } until || until <= now)
        {
            v.Add("valid_until", "is required and must be in the future");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (dataset.Status != DatasetStatuses.Published)
        {
            return Problem.Conflict(ProblemCodes.DatasetStateConflict, "Only a published dataset can be granted", $"It is {dataset.Status}.");
        }

        if ((await store.RolesAsync(grantee, ct)).Length == 0)
        {
            return Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{request.OrganizationId}'.");
        }

        if (await gate.OnBehalfAsync(dataset.Id, grantee, request.Purpose!, ct) is { } denial)
        {
            return Problem.Conflict(denial.Code, denial.Title, denial.Detail);
        }

        var row = await store.CreateGrantAsync(dataset.Id, dataset.OwnerId, grantee, request.Purpose!, request.ValidUntil!.Value.ToUniversalTime(), now, AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/grants/{row.Id}", row.ToContract(now));
    }

    private static async Task<Results<Ok<Page<Grant>>, ProblemHttpResult>> DatasetGrants(
        string id, HttpContext http, DatasetAccess datasets, AccessStore store, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        return dataset is null ? problem! : await GrantPage(store, dataset.Id, null, cursor, limit, clock, ct);
    }

    private static Task<Results<Ok<Page<Grant>>, ProblemHttpResult>> MyGrants(
        HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null) =>
        GrantPage(store, null, http.User.OrganizationId(), cursor, limit, clock, ct);

    private static Task<Results<Ok<Page<Grant>>, ProblemHttpResult>> GrantPage(
        AccessStore store, Guid? datasetId, Guid? grantee, string? cursor, int? limit, TimeProvider clock, CancellationToken ct) =>
        PageAsync(cursor, limit, (before, size) => store.GrantsAsync(datasetId, grantee, before, size, ct), clock, (g, now) => g.ToContract(now), g => g.Id);

    /// <summary>A grant of the caller's side: the receiver's (<paramref name="owner"/> false) or the owner's; anyone else gets 404.</summary>
    private static async Task<(AccessStore.GrantRow? Row, ProblemHttpResult? Problem)> FindGrantAsync(string grantId, HttpContext http, AccessStore store, bool owner, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var row = Guid.TryParse(grantId, out var gid) ? await store.FindGrantAsync(gid, ct) : null;
        return row is not null && (owner ? row.OwnerId : row.GranteeId) == me
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.GrantNotFound, "Grant not found", $"No grant with id '{grantId}' is yours to {(owner ? "revoke" : "hold")}."));
    }

    private static Task<Results<Ok<Grant>, ProblemHttpResult>> AcceptGrant(string grantId, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct) =>
        ChangeGrant(grantId, http, store, clock, owner: false, (row, now) => store.AcceptGrantAsync(row, http.User.ClientId(), now, AuditActor.From(http), ct), ct);

    private static Task<Results<Ok<Grant>, ProblemHttpResult>> DropGrant(string grantId, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct) =>
        ChangeGrant(grantId, http, store, clock, owner: false, (row, now) => store.EndGrantAsync(row, GrantStatuses.Dropped, null, now, AuditActor.From(http), ct), ct);

    /// <summary>Finds the caller's side of a grant, applies the change, and answers the grant as it now is (409 when its state did not allow the change).</summary>
    private static async Task<Results<Ok<Grant>, ProblemHttpResult>> ChangeGrant(
        string grantId, HttpContext http, AccessStore store, TimeProvider clock, bool owner, Func<AccessStore.GrantRow, DateTimeOffset, Task<bool>> change, CancellationToken ct)
    {
        var (row, problem) = await FindGrantAsync(grantId, http, store, owner, ct);
        if (row is null)
        {
            return problem!;
        }

        var now = clock.GetUtcNow();
        return await change(row, now)
            ? TypedResults.Ok((await store.FindGrantAsync(row.Id, ct))!.ToContract(now))
            : Problem.Conflict(ProblemCodes.GrantStateConflict, "The grant is not in a state that allows this", $"It is {row.StatusAt(now)}.");
    }

    private static async Task<Results<Ok<Grant>, ProblemHttpResult>> RevokeGrant(
        string grantId, ReasonRequest request, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.RequiredText("reason", request.Reason, 2000, multiline: true);
        return v.IsValid
            ? await ChangeGrant(grantId, http, store, clock, owner: true, (row, now) => store.EndGrantAsync(row, GrantStatuses.Revoked, reason, now, AuditActor.From(http), ct), ct)
            : v.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DropEntitlement(string entitlementId, HttpContext http, AccessStore store, TimeProvider clock, CancellationToken ct) =>
        Guid.TryParse(entitlementId, out var eid) && await store.DropEntitlementAsync(eid, http.User.OrganizationId(), clock.GetUtcNow(), AuditActor.From(http), ct)
            ? TypedResults.NoContent()
            : Problem.NotFound(ProblemCodes.EntitlementNotFound, "Entitlement not found", $"Your organisation holds no unrevoked entitlement with id '{entitlementId}'.");

    private static async Task<Results<Ok<Page<Holding>>, ProblemHttpResult>> Holders(
        string id, HttpContext http, DatasetAccess datasets, Holdings holdings, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        return dataset is null ? problem! : await HoldingsPageAsync(holdings, dataset.Id, null, cursor, limit, ct);
    }

    private static Task<Results<Ok<Page<Holding>>, ProblemHttpResult>> MyHoldings(
        HttpContext http, Holdings holdings, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null) =>
        HoldingsPageAsync(holdings, null, http.User.OrganizationId(), cursor, limit, ct);

    private static async Task<Results<Ok<Page<Holding>>, ProblemHttpResult>> HoldingsPageAsync(
        Holdings holdings, Guid? datasetId, Guid? holder, string? cursor, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        var (before, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await holdings.ForAsync(datasetId, holder, before, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => r.Holding, r => Paging.CursorFor(r.Id)));
    }
}
