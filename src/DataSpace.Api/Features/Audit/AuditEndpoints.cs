using System.Text.Json;
using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Audit;
using DataSpace.Contracts.Common;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace DataSpace.Api.Features.Audit;

internal static class AuditEndpoints
{
    public const string CanonicalForm =
        "SHA-256 over UTF-8 of these fields joined by '\\n': dataspace-audit-v2, partition, partition_seq, seq, occurred_at (UTC yyyy-MM-ddTHH:mm:ss.ffffffZ), " +
        "actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details (JSON as stored), " +
        "prev_hash (hex of the previous event in the same partition); absent values are empty strings; a partition's first prev_hash is " +
        "SHA-256 of 'dataspace-audit-v2 genesis\\n' + partition. An event by a person signed in to the console (actor.user_id set) has one more " +
        "field at the end: 'actor_user_id:' + the user id. Partition 'global' (events from before partitions) uses dataspace-audit-v1: " +
        "the same fields without partition, partition_seq and seq after the tag, first prev_hash 64 zeros. " +
        "Signed checkpoints (GET /v1/audit/checkpoints) list every partition's length, head seq and head hash.";

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Auditor);
        group.MapGet("/", List).WithName("ListAuditEvents")
            .WithSummary("Events about your organisation's data — who read what under which consent — in chain order, filtered by action, object_type and basis (?basis=consent: the reads others made under your consents); the operator sees all")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/verify", Verify).WithName("VerifyAuditChain")
            .WithSummary("Verify the chain from the last signed checkpoint (?from=genesis: every event), and name the first broken link if any")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/checkpoints", CreateCheckpoint).WithName("CreateAuditCheckpoint").RequireAuthorization(Policies.AuditAnchor)
            .WithSummary("Sign a checkpoint over every partition head now (operator or data bureau); a broken chain is refused, never signed")
            .ProducesProblem(StatusCodes.Status409Conflict);

        // Public, so that anyone can keep checkpoints and check them offline against the public key.
        var open = app.MapGroup("/v1/audit").WithTags("Audit").AllowAnonymous();
        open.MapGet("/checkpoints", ListCheckpoints).WithName("ListAuditCheckpoints")
            .WithSummary("Signed checkpoints of the audit chain, newest first (public)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        open.MapGet("/checkpoints/latest", LatestCheckpoint).WithName("GetLatestAuditCheckpoint")
            .WithSummary("The newest signed checkpoint (public)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        open.MapGet("/checkpoints/{number:long}", GetCheckpoint).WithName("GetAuditCheckpoint")
            .WithSummary("One signed checkpoint (public)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        open.MapGet("/checkpoints/{number:long}/message", GetCheckpointMessage).WithName("GetAuditCheckpointMessage")
            .WithSummary("The exact signed bytes of a checkpoint, for openssl pkeyutl -verify -rawin -in (public)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound);
        open.MapGet("/checkpoints/{number:long}/signature", GetCheckpointSignature).WithName("GetAuditCheckpointSignature")
            .WithSummary("The 64-byte Ed25519 signature of a checkpoint, for openssl pkeyutl -sigfile (public)")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        open.MapGet("/public-key", PublicKey).WithName("GetAuditPublicKey")
            .WithSummary("The checkpoint signing key, SubjectPublicKeyInfo PEM, for openssl pkeyutl -pubin -inkey (public)")
            .Produces<string>(StatusCodes.Status200OK, "application/x-pem-file");
        return app;
    }

    private static async Task<Results<Ok<Page<AuditEvent>>, ProblemHttpResult>> List(
        HttpContext http, NpgsqlDataSource db, CancellationToken ct,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null, [FromQuery] string? action = null, [FromQuery(Name = "object_type")] string? objectType = null,
        [FromQuery] string? basis = null)
    {
        var v = new Validation();
        var (cursorSeq, size) = Paging.ReadNumeric(cursor, limit, v);
        var after = cursorSeq ?? 0;
        if (basis is not null && (basis.Length is 0 or > 40 || !basis.All(c => c is (>= 'a' and <= 'z') or '_')))
        {
            v.Add("basis", "must be a basis type such as consent, entitlement, preview or submission");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // An owner's events are all in its own partition, where seq grows in commit order (it is drawn under the
        // partition's lock), so paging by seq never skips one. Across partitions (the operator's view) an append that
        // drew a lower seq can commit just after a page was read.
        var me = http.User.OrganizationId();
        var isOperator = http.User.HasRole(Roles.Operator);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<AuditRow>(new CommandDefinition("""
            select seq, partition, partition_seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details, prev_hash, hash, actor_user_id
            from audit_events
            where (@isOperator or subject_org_id = @me) and seq > @after
              and (@action::text is null or action = @action) and (@objectType::text is null or object_type = @objectType)
              and (@basis::text is null or basis_type = @basis)
            order by seq limit @limit
            """, new { isOperator, me, after, action, objectType, basis, limit = size + 1 }, cancellationToken: ct))).AsList();
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
            Partition = r.Partition,
            PartitionSeq = r.PartitionSeq,
            OccurredAt = Timestamps.Utc(r.OccurredAt),
            Actor = visible ? new AuditActorInfo(r.ActorOrgId?.ToString(), r.ActorClientId, r.ActorUserId?.ToString()) : null,
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

    private static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> Verify(AuditCheckpoints checkpoints, CancellationToken ct, [FromQuery] string? from = null)
    {
        if (from is not (null or "checkpoint" or "genesis"))
        {
            var v = new Validation();
            v.Add("from", "must be checkpoint (the default) or genesis");
            return v.ToProblem();
        }

        var outcome = await checkpoints.VerifyAsync(fromGenesis: from == "genesis", ct);
        return TypedResults.Ok(ToContract(outcome, from == "genesis"));
    }

    private static AuditVerification ToContract(AuditCheckpoints.Outcome outcome, bool fromGenesis)
    {
        var r = outcome.Verification;
        return new AuditVerification(r.FirstBrokenSeq is null && r.Problem is null, r.Length, r.HeadHash, r.FirstBrokenSeq, r.Problem, CanonicalForm,
            outcome.FromCheckpoint, r.BrokenPartition, fromGenesis);
    }

    private static async Task<Results<Ok<AuditCheckpointCreated>, Created<AuditCheckpointCreated>, ProblemHttpResult>> CreateCheckpoint(
        AuditCheckpoints checkpoints, CancellationToken ct)
    {
        var outcome = await checkpoints.CreateAsync(ct);
        if (outcome.Checkpoint is not { } row)
        {
            var r = outcome.Verification;
            return Problem.Conflict(ProblemCodes.AuditChainBroken, "The audit chain does not verify, so no checkpoint was signed",
                r.FirstBrokenSeq is { } seq ? $"First broken event {seq}: {r.Problem}" : r.Problem);
        }

        var body = new AuditCheckpointCreated(outcome.Created, ToContract(row));
        return outcome.Created ? TypedResults.Created($"/v1/audit/checkpoints/{row.Number}", body) : TypedResults.Ok(body);
    }

    private static async Task<Results<Ok<Page<AuditCheckpoint>>, ProblemHttpResult>> ListCheckpoints(
        AuditCheckpoints checkpoints, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (before, size) = Paging.ReadNumeric(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await checkpoints.ListAsync(before, size + 1, ct);
        var items = rows.Take(size).Select(ToContract).ToList();
        return TypedResults.Ok(new Page<AuditCheckpoint>(items, rows.Count > size ? Paging.CursorFor(rows[size - 1].Number) : null));
    }

    private static async Task<Results<Ok<AuditCheckpoint>, ProblemHttpResult>> LatestCheckpoint(AuditCheckpoints checkpoints, CancellationToken ct) =>
        await checkpoints.LatestAsync(ct) is { } row ? TypedResults.Ok(ToContract(row)) : CheckpointNotFound();

    private static async Task<Results<Ok<AuditCheckpoint>, ProblemHttpResult>> GetCheckpoint(long number, AuditCheckpoints checkpoints, CancellationToken ct) =>
        await checkpoints.GetAsync(number, ct) is { } row ? TypedResults.Ok(ToContract(row)) : CheckpointNotFound();

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetCheckpointMessage(long number, AuditCheckpoints checkpoints, CancellationToken ct) =>
        await checkpoints.GetAsync(number, ct) is { } row ? TypedResults.Bytes(row.Message, "text/plain; charset=utf-8") : CheckpointNotFound();

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetCheckpointSignature(long number, AuditCheckpoints checkpoints, CancellationToken ct) =>
        await checkpoints.GetAsync(number, ct) is { } row ? TypedResults.Bytes(row.Signature, "application/octet-stream") : CheckpointNotFound();

    private static ContentHttpResult PublicKey(CheckpointSigner signer) => TypedResults.Text(signer.PublicKeyPem, "application/x-pem-file");

    private static ProblemHttpResult CheckpointNotFound() =>
        Problem.NotFound(ProblemCodes.AuditCheckpointNotFound, "No such audit checkpoint");

    private static AuditCheckpoint ToContract(CheckpointRow row) => new()
    {
        Number = row.Number,
        CreatedAt = Timestamps.Utc(row.CreatedAt),
        KeyId = row.KeyId,
        Events = row.Events,
        Partitions = AuditCheckpoints.Parse(row.Message)?.Heads.Count ?? 0,
        Message = System.Text.Encoding.UTF8.GetString(row.Message),
        MessageSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(row.Message)),
        Signature = Convert.ToBase64String(row.Signature),
        MessageUrl = $"/v1/audit/checkpoints/{row.Number}/message",
        SignatureUrl = $"/v1/audit/checkpoints/{row.Number}/signature",
    };
}
