using System.Text.Json;
using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Audit;
using DataSpace.Contracts.Common;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace DataSpace.Api.Features.Audit;

internal static class AuditEndpoints
{
    public const string CanonicalForm =
        "SHA-256 over UTF-8 of these fields joined by '\\n': dataspace-audit-v1, seq, occurred_at (UTC yyyy-MM-ddTHH:mm:ss.ffffffZ), " +
        "actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details (JSON as stored), " +
        "prev_hash (hex); absent values are empty strings; the first prev_hash is 64 zeros.";

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Auditor);
        group.MapGet("/", List).WithName("ListAuditEvents")
            .WithSummary("Events about your organisation's data — who read what under which consent — in chain order; the operator sees all")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/verify", Verify).WithName("VerifyAuditChain")
            .WithSummary("Walk the whole chain, recompute every hash, and name the first broken link if any");
        return app;
    }

    private static async Task<Results<Ok<Page<AuditEvent>>, ProblemHttpResult>> List(
        HttpContext http, NpgsqlDataSource db, CancellationToken ct,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null, [FromQuery] string? action = null, [FromQuery(Name = "object_type")] string? objectType = null)
    {
        var v = new Validation();
        var (cursorSeq, size) = Paging.ReadNumeric(cursor, limit, v);
        var after = cursorSeq ?? 0;
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var me = http.User.OrganizationId();
        var isOperator = http.User.HasRole(Roles.Operator);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<AuditRow>(new CommandDefinition("""
            select seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details, prev_hash, hash
            from audit_events
            where (@isOperator or subject_org_id = @me) and seq > @after
              and (@action::text is null or action = @action) and (@objectType::text is null or object_type = @objectType)
            order by seq limit @limit
            """, new { isOperator, me, after, action, objectType, limit = size + 1 }, cancellationToken: ct))).AsList();
        var items = rows.Take(size).Select(r => ToContract(r, me, isOperator)).ToList();
        return TypedResults.Ok(new Page<AuditEvent>(items, rows.Count > size ? Paging.CursorFor(rows[size - 1].Seq) : null));
    }

    /// <summary>
    /// Owners see who acted on their data when the actor is themselves or acted under a consent (the consent makes the
    /// grantee known); a consumer downloading open data stays anonymous, as its business secret. An authority's look at a
    /// preview (only authorities' previews are recorded) and the bureau's reads of what was submitted to it are named too:
    /// reads by public bodies are what owners audit.
    /// </summary>
    private static AuditEvent ToContract(AuditRow r, Guid me, bool isOperator)
    {
        var visible = isOperator || r.ActorOrgId == me || r.BasisType is "consent" or "entitlement" or "preview" or "submission" || r.BasisType is null;
        return new AuditEvent
        {
            Seq = r.Seq,
            OccurredAt = DatasetStore.Utc(r.OccurredAt),
            Actor = visible ? new AuditActorInfo(r.ActorOrgId?.ToString(), r.ActorClientId) : null,
            SubjectOrganizationId = r.SubjectOrgId?.ToString(),
            ObjectType = r.ObjectType,
            ObjectId = r.ObjectId,
            Action = r.Action,
            Basis = r.BasisType is null ? null : new AuditBasis(r.BasisType, r.BasisId),
            RequestId = visible ? r.RequestId : null,
            Details = JsonDocument.Parse(r.Details).RootElement,
            Hash = Convert.ToHexStringLower(r.Hash),
            PrevHash = Convert.ToHexStringLower(r.PrevHash),
        };
    }

    private static async Task<Ok<AuditVerification>> Verify(AuditChain chain, CancellationToken ct)
    {
        var result = await chain.VerifyAsync(ct);
        return TypedResults.Ok(new AuditVerification(result.FirstBrokenSeq is null, result.Length, result.HeadHash, result.FirstBrokenSeq, result.Problem, CanonicalForm));
    }
}
