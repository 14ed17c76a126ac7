using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using DataSpace.Api.Http;
using Npgsql;

namespace DataSpace.Api.Features.Audit;

/// <summary>Who did something, as the audit records it.</summary>
/// <param name="OrganizationId">The acting organisation (null for the system).</param>
/// <param name="ClientId">The API client it acted through.</param>
/// <param name="RequestId">The request id (X-Request-Id) that links the event to the logs.</param>
internal sealed record AuditActor(Guid? OrganizationId, string? ClientId, string? RequestId)
{
    public static AuditActor From(HttpContext http) => new(
        http.User.FindFirst(Auth.Caller.OrganizationIdClaim) is { } org ? Guid.Parse(org.Value) : null,
        http.User.FindFirst(Auth.Caller.ClientIdClaim)?.Value,
        http.TraceIdentifier);
}

/// <summary>One event to append.</summary>
/// <param name="Actor">Who.</param>
/// <param name="SubjectOrganizationId">Whose data or object it concerns.</param>
/// <param name="ObjectType">organization, client, dataset, version, file, consent, consent_request, usage, …</param>
/// <param name="ObjectId">The object's id (a dataset id, "datasetId/3", a client id, …).</param>
/// <param name="Action">What happened: created, updated, published, downloaded, granted, revoked, read, …</param>
/// <param name="BasisType">What allowed a read of someone else's data: open, consent, entitlement; null for own actions.</param>
/// <param name="BasisId">The consent or entitlement id, when there is one.</param>
/// <param name="Details">A small object with what else matters (names, ranges, reasons); serialised as snake_case JSON.</param>
internal sealed record AuditEntry(
    AuditActor Actor, Guid? SubjectOrganizationId, string ObjectType, string ObjectId, string Action,
    string? BasisType = null, string? BasisId = null, object? Details = null);

/// <summary>
/// The append-only audit chain. Each event's hash is SHA-256 over its canonical form, which includes the previous
/// event's hash, so changing, removing or reordering any event breaks every hash after it.
///
/// Canonical form (version 1), UTF-8, fields joined by '\n', no trailing newline:
/// <c>dataspace-audit-v1, seq, occurred_at (UTC, yyyy-MM-ddTHH:mm:ss.ffffffZ), actor_org_id, actor_client_id,
/// subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details (JSON text as stored),
/// prev_hash (lower-case hex)</c>; absent values are empty strings; ids are lower-case UUIDs. The first event's
/// prev_hash is 32 zero bytes. Fields never contain '\n' (JSON escapes it; ids and codes are ours).
/// </summary>
internal sealed class AuditChain(NpgsqlDataSource db, TimeProvider clock) : IAsyncDisposable
{
    // "DSAUDIT" as a number: the advisory lock that makes appends one at a time, so the chain never forks.
    private const long LockKey = 0x44_53_41_55_44_49_54;

    public static readonly byte[] Genesis = new byte[32];

    /// <summary>Appends inside the caller's transaction: the event commits or rolls back with the change it records.</summary>
    public async Task<long> AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditEntry entry, CancellationToken ct) =>
        (await AppendBatchAsync(conn, tx, [entry], ct))[0];

    /// <summary>Appends several events, in order, inside the caller's transaction: one lock, one read of the head, one insert.</summary>
    public Task<long[]> AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct) =>
        entries.Count == 0 ? Task.FromResult<long[]>([]) : AppendBatchAsync(conn, tx, entries, ct);

    /// <summary>
    /// Appends an event that records a read (which changes nothing else) and returns once it is durable. Reads from
    /// many requests are group-committed: one writer appends whatever has queued up in one transaction, so
    /// concurrent readers share one lock acquisition and one WAL flush instead of queueing for one each.
    /// </summary>
    public Task<long> AppendAsync(AuditEntry entry, CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _writerStarted, 1, 0) == 0)
        {
            _writer = Task.Run(WriteQueuedAsync, CancellationToken.None);
        }

        var pending = new Pending(entry, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The audit writer has stopped: the application is shutting down.");
        }

        // The event is written even if this caller stops waiting: a read that happened stays recorded.
        return pending.Done.Task.WaitAsync(ct);
    }

    private sealed record Pending(AuditEntry Entry, TaskCompletionSource<long> Done);

    private const int MaxBatch = 256;
    private readonly System.Threading.Channels.Channel<Pending> _queue =
        System.Threading.Channels.Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private int _writerStarted;
    private Task? _writer;

    private async Task WriteQueuedAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await using var conn = await db.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                var seqs = await AppendBatchAsync(conn, tx, [.. batch.Select(p => p.Entry)], CancellationToken.None);
                await tx.CommitAsync();
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(seqs[i]);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Stops taking new events and finishes writing the queued ones (called on shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    /// <summary>Appends events in order under the chain lock, which the transaction holds until it ends.</summary>
    private async Task<long[]> AppendBatchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct));
        var last = await conn.QuerySingleOrDefaultAsync<(long Seq, byte[] Hash)?>(new CommandDefinition(
            "select seq, hash from audit_events order by seq desc limit 1", transaction: tx, cancellationToken: ct));
        var seq = last?.Seq ?? 0;
        var prev = last?.Hash ?? Genesis;
        // PostgreSQL keeps microseconds: truncate first, so the hash recomputed from the row matches.
        var at = TruncateToMicroseconds(clock.GetUtcNow().UtcDateTime);
        var rows = new List<AuditRow>(entries.Count);
        foreach (var entry in entries)
        {
            var row = new AuditRow
            {
                Seq = ++seq,
                OccurredAt = at,
                ActorOrgId = entry.Actor.OrganizationId,
                ActorClientId = entry.Actor.ClientId,
                SubjectOrgId = entry.SubjectOrganizationId,
                ObjectType = entry.ObjectType,
                ObjectId = entry.ObjectId,
                Action = entry.Action,
                BasisType = entry.BasisType,
                BasisId = entry.BasisId,
                RequestId = entry.Actor.RequestId,
                Details = JsonSerializer.Serialize(entry.Details ?? new { }, Json.Options),
                PrevHash = prev,
            };
            row = row with { Hash = HashOf(row) };
            prev = row.Hash;
            rows.Add(row);
        }

        // One statement per batch: arrays of each column, unnested in order.
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into audit_events (seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action,
                                      basis_type, basis_id, request_id, details, prev_hash, hash)
            select * from unnest(@Seq, @OccurredAt, @ActorOrgId, @ActorClientId, @SubjectOrgId, @ObjectType, @ObjectId, @Action,
                                 @BasisType, @BasisId, @RequestId, @Details, @PrevHash, @Hash)
            """, new
        {
            Seq = rows.Select(r => r.Seq).ToArray(),
            OccurredAt = rows.Select(r => r.OccurredAt).ToArray(),
            ActorOrgId = rows.Select(r => r.ActorOrgId).ToArray(),
            ActorClientId = rows.Select(r => r.ActorClientId).ToArray(),
            SubjectOrgId = rows.Select(r => r.SubjectOrgId).ToArray(),
            ObjectType = rows.Select(r => r.ObjectType).ToArray(),
            ObjectId = rows.Select(r => r.ObjectId).ToArray(),
            Action = rows.Select(r => r.Action).ToArray(),
            BasisType = rows.Select(r => r.BasisType).ToArray(),
            BasisId = rows.Select(r => r.BasisId).ToArray(),
            RequestId = rows.Select(r => r.RequestId).ToArray(),
            Details = rows.Select(r => r.Details).ToArray(),
            PrevHash = rows.Select(r => r.PrevHash).ToArray(),
            Hash = rows.Select(r => r.Hash).ToArray(),
        }, tx, cancellationToken: ct));
        return [.. rows.Select(r => r.Seq)];
    }

    /// <summary>The result of walking the chain.</summary>
    /// <param name="Length">Number of events.</param>
    /// <param name="HeadHash">The last event's hash (hex), or the genesis hash for an empty chain.</param>
    /// <param name="FirstBrokenSeq">The first event whose stored hashes do not match, if any.</param>
    /// <param name="Problem">What is wrong with it.</param>
    public sealed record Verification(long Length, string HeadHash, long? FirstBrokenSeq, string? Problem);

    /// <summary>Walks the chain in order, streaming rows, recomputing every hash; names the first broken link.</summary>
    public async Task<Verification> VerifyAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var expectedPrev = Genesis;
        long count = 0;
        var rows = conn.QueryUnbufferedAsync<AuditRow>(
            "select seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details, prev_hash, hash from audit_events order by seq");
        await foreach (var row in rows.WithCancellation(ct))
        {
            count++;
            if (row.Seq != count)
            {
                return new Verification(count - 1, Convert.ToHexStringLower(expectedPrev), row.Seq, $"event {count} is missing: the chain jumps to {row.Seq}");
            }

            if (!row.PrevHash.AsSpan().SequenceEqual(expectedPrev))
            {
                return new Verification(count - 1, Convert.ToHexStringLower(expectedPrev), row.Seq, "its prev_hash is not the hash of the event before it");
            }

            if (!row.Hash.AsSpan().SequenceEqual(HashOf(row)))
            {
                return new Verification(count - 1, Convert.ToHexStringLower(expectedPrev), row.Seq, "its content does not match its hash: it was altered");
            }

            expectedPrev = row.Hash;
        }

        return new Verification(count, Convert.ToHexStringLower(expectedPrev), null, null);
    }

    public static byte[] HashOf(AuditRow row)
    {
        string[] fields =
        [
            "dataspace-audit-v1",
            row.Seq.ToString(CultureInfo.InvariantCulture),
            DateTime.SpecifyKind(row.OccurredAt, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            row.ActorOrgId?.ToString() ?? "",
            row.ActorClientId ?? "",
            row.SubjectOrgId?.ToString() ?? "",
            row.ObjectType,
            row.ObjectId,
            row.Action,
            row.BasisType ?? "",
            row.BasisId ?? "",
            row.RequestId ?? "",
            row.Details,
            Convert.ToHexStringLower(row.PrevHash),
        ];
        if (fields.Any(f => f.Contains('\n', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("An audit field contains a newline; the canonical form forbids it.");
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', fields)));
    }

    private static DateTime TruncateToMicroseconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
}

/// <summary>A stored audit event.</summary>
internal sealed record AuditRow
{
    public long Seq { get; init; }
    public DateTime OccurredAt { get; init; }
    public Guid? ActorOrgId { get; init; }
    public string? ActorClientId { get; init; }
    public Guid? SubjectOrgId { get; init; }
    public string ObjectType { get; init; } = "";
    public string ObjectId { get; init; } = "";
    public string Action { get; init; } = "";
    public string? BasisType { get; init; }
    public string? BasisId { get; init; }
    public string? RequestId { get; init; }
    public string Details { get; init; } = "{}";
    public byte[] PrevHash { get; init; } = [];
    public byte[] Hash { get; init; } = [];
}
