using System.Security.Cryptography;
using System.Text;
using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Api.Problems;
using Npgsql;

namespace DataSpace.Api.Http;

/// <summary>Marks a write that creates money or access: it honours an Idempotency-Key (and may require one).</summary>
internal sealed record IdempotentMetadata(bool Required);

/// <summary>
/// Idempotency-Key for writes that create money or access (DESIGN.md). The first request with a key runs and its
/// response (status, Location, body) is kept; a replay with the same key and the same request gets that response
/// again, marked <c>Idempotent-Replayed: true</c>; the same key with a different request is refused (409 idempotency_conflict); a replay
/// while the first is still running gets 409 with Retry-After. A first attempt that fails with a server error leaves
/// no record, so the client can retry with the same key. Keys are per organisation and kept 24 hours.
/// The claim is a lease of <see cref="Lease"/> that the running request renews every <see cref="LeaseRenewal"/>: if
/// the instance holding it dies, the lease runs out and the next request with the key takes the claim over.
/// </summary>
internal static partial class Idempotency
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(3);

    public static TBuilder Idempotent<TBuilder>(this TBuilder builder, bool required = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotentMetadata(required));

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<IdempotentMetadata>();
        if (metadata is null || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        string? key = context.Request.Headers[Header];
        if (string.IsNullOrEmpty(key))
        {
            if (metadata.Required)
            {
                await Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.IdempotencyKeyRequired, "An Idempotency-Key header is required",
                    "This write creates money or access: send a unique Idempotency-Key (e.g. a UUID) and reuse it when you retry.").ExecuteAsync(context);
                return;
            }

            await next(context);
            return;
        }

        if (key.Length > 200 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.InvalidIdempotencyKey, "The Idempotency-Key is not acceptable",
                "Use 1–200 printable ASCII characters without spaces, e.g. a UUID.").ExecuteAsync(context);
            return;
        }

        var services = context.RequestServices;
        var db = services.GetRequiredService<NpgsqlDataSource>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var org = context.User.OrganizationId();
        var fingerprint = await FingerprintAsync(context.Request);
        var holder = Guid.NewGuid();

        await using (var conn = await db.OpenConnectionAsync(context.RequestAborted))
        {
            // Forget keys past retention, then claim this one, or take over a claim whose holder is gone (its lease ran
            // out without a response); only the claimant runs the request.
            var claimed = await conn.ExecuteAsync(new CommandDefinition("""
                delete from idempotency_keys where organization_id = @org and key = @key and created_at < @expired;
                insert into idempotency_keys (organization_id, key, fingerprint, created_at, lease_until, holder)
                values (@org, @key, @fingerprint, @now, @leaseUntil, @holder)
                on conflict (organization_id, key) do update
                    set fingerprint = excluded.fingerprint, created_at = excluded.created_at, lease_until = excluded.lease_until, holder = excluded.holder
                    where idempotency_keys.status_code is null and idempotency_keys.lease_until < @now;
                """, new { org, key, fingerprint, now, leaseUntil = now + Lease, holder, expired = now - Retention }, cancellationToken: context.RequestAborted)) > 0;
            if (!claimed)
            {
                var first = await conn.QuerySingleAsync<(byte[] Fingerprint, int? StatusCode, string? ContentType, string? Location, byte[]? Body)>(new CommandDefinition(
                    "select fingerprint, status_code, content_type, location, body from idempotency_keys where organization_id = @org and key = @key",
                    new { org, key }, cancellationToken: context.RequestAborted));
                await ReplayAsync(context, first.Fingerprint.AsSpan().SequenceEqual(fingerprint), first.StatusCode, first.ContentType, first.Location, first.Body);
                return;
            }
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var completed = false;
        using var renewing = new CancellationTokenSource();
        var renewal = RenewLeaseAsync(db, services.GetRequiredService<TimeProvider>(), org, key, holder, renewing.Token);
        try
        {
            await next(context);
            completed = context.Response.StatusCode < 500;
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            context.Response.Body = original;
            await using var conn = await db.OpenConnectionAsync(CancellationToken.None);
            if (completed)
            {
                await conn.ExecuteAsync(new CommandDefinition("""
                    update idempotency_keys set status_code = @status, content_type = @contentType, location = @location, body = @body, completed_at = @at
                    where organization_id = @org and key = @key and holder = @holder
                    """, new
                {
                    status = context.Response.StatusCode,
                    contentType = context.Response.ContentType,
                    location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                    body = captured.ToArray(),
                    at = services.GetRequiredService<TimeProvider>().GetUtcNow(),
                    org,
                    key,
                    holder,
                }, cancellationToken: CancellationToken.None));
            }
            else
            {
                await conn.ExecuteAsync(new CommandDefinition("delete from idempotency_keys where organization_id = @org and key = @key and holder = @holder",
                    new { org, key, holder }, cancellationToken: CancellationToken.None));
            }
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted);
    });

    /// <summary>Keeps this instance's claim on the key alive while its request runs.</summary>
    private static async Task RenewLeaseAsync(NpgsqlDataSource db, TimeProvider clock, Guid org, string key, Guid holder, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(LeaseRenewal);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await using var conn = await db.OpenConnectionAsync(stop);
                    await conn.ExecuteAsync(new CommandDefinition("""
                        update idempotency_keys set lease_until = @leaseUntil
                        where organization_id = @org and key = @key and holder = @holder and status_code is null
                        """, new { leaseUntil = clock.GetUtcNow() + Lease, org, key, holder }, cancellationToken: stop));
                }
                catch (NpgsqlException)
                {
                    // The next tick tries again; the lease outlasts a few missed renewals.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The request finished: its response (or its failure) settles the claim.
        }
    }

    private static async Task ReplayAsync(HttpContext context, bool sameRequest, int? status, string? contentType, string? location, byte[]? body)
    {
        if (!sameRequest)
        {
            await Problem.Of(StatusCodes.Status409Conflict, ProblemCodes.IdempotencyConflict, "The Idempotency-Key was used for a different request",
                "Each key belongs to one request (method, path and body). Use a new key for a new request.").ExecuteAsync(context);
            return;
        }

        if (status is null)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problem.Of(StatusCodes.Status409Conflict, ProblemCodes.IdempotencyRequestInProgress, "The first request with this Idempotency-Key is still running",
                "Retry shortly with the same key to get its result.").ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = status.Value;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }

        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        if (body is { Length: > 0 })
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>SHA-256 of method, path, query and body; the body is buffered (bounded by the JSON body limit) and rewound for the endpoint.</summary>
    private static async Task<byte[]> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: RequestIdAndLimits.DefaultMaxBodyBytes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }
}
