using System.Buffers.Binary;
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
/// <param name="UserId">The person, when they acted through a console session (the client is then the console).</param>
[FeatureService]
internal sealed record AuditActor(Guid? OrganizationId, string? ClientId, string? RequestId, Guid? UserId = null)
{
    public static AuditActor From(HttpContext http) => new(
        http.User.FindFirst(Auth.Caller.OrganizationIdClaim) is { } org ? Guid.Parse(org.Value) : null,
        http.User.FindFirst(Auth.Caller.ClientIdClaim)?.Value,
        http.TraceIdentifier,
        http.User.FindFirst(Auth.Caller.UserIdClaim) is { } user ? Guid.Parse(user.Value) : null);
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
[FeatureService]
internal sealed record AuditEntry(
    AuditActor Actor, Guid? SubjectOrganizationId, string ObjectType, string ObjectId, string Action,
    string? BasisType = null, string? BasisId = null, object? Details = null);

/// <summary>
/// The append-only audit chain, in partitions: one per subject organisation (<see cref="PartitionOf"/>), each a hash
/// chain of its own with its own gapless position and its own lock, so appends about unrelated organisations never
/// wait for each other. Each event's hash is SHA-256 over its canonical form, which includes the previous event's hash
/// in its partition, so changing, removing or reordering an event breaks every later hash of that partition; signed
/// checkpoints over all partition heads (<see cref="AuditCheckpoints"/>) make a consistent rewrite or a truncation
/// detectable too.
///
/// Canonical form (version 2), UTF-8, fields joined by '\n', no trailing newline:
/// <c>dataspace-audit-v2, partition, partition_seq, seq, occurred_at (UTC, yyyy-MM-ddTHH:mm:ss.ffffffZ), actor_org_id,
/// actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details (JSON
/// text as stored), prev_hash (lower-case hex)</c>; absent values are empty strings; ids are lower-case UUIDs. The first
/// event of a partition has as prev_hash SHA-256 of UTF-8 <c>"dataspace-audit-v2 genesis\n" + partition</c>. Fields
/// never contain '\n' (JSON escapes it; ids and codes are ours). Events written before partitions existed form the
/// frozen partition <c>global</c> in version 1: the same fields without partition, partition_seq (= seq) and with
/// <c>dataspace-audit-v1</c> first, the first prev_hash 32 zero bytes. An event done by a person signed in to the console
/// (actor_user_id set) has one more field at the end: <c>actor_user_id:</c> and the user's lower-case UUID; events
/// without a user hash exactly as before the column existed.
/// </summary>
[FeatureService]
internal sealed class AuditChain(NpgsqlDataSource db, TimeProvider clock) : IAsyncDisposable
{
    /// <summary>The partition of events about no organisation.</summary>
    public const string PlatformPartition = "platform";

    /// <summary>The events written before partitions existed, in canonical form v1.</summary>
    public const string LegacyPartition = "global";

    // "DSAU": the first key of the two-key advisory locks that serialise appends to one partition (the second key is a
    // hash of the partition). A collision of two partitions' hashes only makes them share a lock, never forks a chain.
    private const int LockSpace = 0x44_53_41_55;

    /// <summary>The partition an event about this organisation belongs to.</summary>
    public static string PartitionOf(Guid? subjectOrganizationId) => subjectOrganizationId?.ToString() ?? PlatformPartition;

    /// <summary>The prev_hash of a partition's first event.</summary>
    public static byte[] GenesisOf(string partition) =>
        partition == LegacyPartition ? new byte[32] : SHA256.HashData(Encoding.UTF8.GetBytes("dataspace-audit-v2 genesis\n" + partition));

    private static int LockKeyOf(string partition) => BinaryPrimitives.ReadInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(partition)));

    /// <summary>Appends inside the caller's transaction: the event commits or rolls back with the change it records.</summary>
    public async Task<long> AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditEntry entry, CancellationToken ct) =>
        (await AppendBatchAsync(conn, tx, [entry], ct))[0];

    /// <summary>
    /// Appends several events, in order, inside the caller's transaction: the partitions' locks in one fixed order, one
    /// read of their heads, one insert. A transaction that appends to several partitions does it in one call, so that
    /// two transactions never take the same locks in opposite orders.
    /// </summary>
    public Task<long[]> AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct) =>
        entries.Count == 0 ? Task.FromResult<long[]>([]) : AppendBatchAsync(conn, tx, entries, ct);

    /// <summary>
    /// Appends an event that records a read (which changes nothing else) and returns once it is durable. Reads from
    /// many requests are group-committed: one writer appends whatever has queued up in one transaction, so
    /// concurrent readers share one WAL flush instead of queueing for one each.
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

            // A deadlock victim (40P01) wrote nothing: try again, the other transaction has gone by then.
            for (var attempt = 1; ; attempt++)
            {
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

                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3)
                {
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    foreach (var pending in batch)
                    {
                        pending.Done.TrySetException(e);
                    }

                    break;
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

    private sealed record HeadRow(string Partition, long? PartitionSeq, byte[]? Hash);

    /// <summary>
    /// Appends events in order under their partitions' locks, which the transaction holds until it ends. One round trip
    /// takes the locks (sorted by key, so no two appends deadlock), reads the heads after the locks are held (a statement
    /// of its own: read committed takes its snapshot when the statement starts) and draws the global seq numbers; a
    /// second inserts every row.
    /// </summary>
    private async Task<long[]> AppendBatchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var partitions = entries.Select(e => PartitionOf(e.SubjectOrganizationId)).Distinct(StringComparer.Ordinal)
            .OrderBy(LockKeyOf).ThenBy(p => p, StringComparer.Ordinal).ToArray();
        var keys = partitions.Select(LockKeyOf).Distinct().ToArray();
        using var reader = await conn.QueryMultipleAsync(new CommandDefinition("""
            select count(pg_advisory_xact_lock(@LockSpace, k)) from unnest(@keys) k;
            select p.partition, h.partition_seq, h.hash
            from unnest(@partitions) p(partition)
            left join lateral (select partition_seq, hash from audit_events e where e.partition = p.partition order by partition_seq desc limit 1) h on true;
            select nextval('audit_events_seq') from generate_series(1, @count);
            """, new { LockSpace, keys, partitions, count = entries.Count }, tx, cancellationToken: ct));
        await reader.ReadSingleAsync<long>();
        var heads = (await reader.ReadAsync<HeadRow>()).ToDictionary(h => h.Partition, h => (Position: h.PartitionSeq ?? 0, Hash: h.Hash ?? GenesisOf(h.Partition)), StringComparer.Ordinal);
        var seqs = (await reader.ReadAsync<long>()).ToArray();

        // PostgreSQL keeps microseconds: truncate first, so the hash recomputed from the row matches.
        var at = TruncateToMicroseconds(clock.GetUtcNow().UtcDateTime);
        var rows = new List<AuditRow>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var partition = PartitionOf(entry.SubjectOrganizationId);
            var (position, prev) = heads[partition];
            var row = new AuditRow
            {
                Seq = seqs[i],
                Partition = partition,
                PartitionSeq = position + 1,
                OccurredAt = at,
                ActorOrgId = entry.Actor.OrganizationId,
                ActorClientId = entry.Actor.ClientId,
                ActorUserId = entry.Actor.UserId,
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
            heads[partition] = (row.PartitionSeq, row.Hash);
            rows.Add(row);
        }

        // One statement per batch: arrays of each column, unnested in order.
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into audit_events (seq, partition, partition_seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action,
                                      basis_type, basis_id, request_id, details, prev_hash, hash, actor_user_id)
            select * from unnest(@Seq, @Partition, @PartitionSeq, @OccurredAt, @ActorOrgId, @ActorClientId, @SubjectOrgId, @ObjectType, @ObjectId, @Action,
                                 @BasisType, @BasisId, @RequestId, @Details, @PrevHash, @Hash, @ActorUserId::uuid[])
            """, new
        {
            Seq = rows.Select(r => r.Seq).ToArray(),
            Partition = rows.Select(r => r.Partition).ToArray(),
            PartitionSeq = rows.Select(r => r.PartitionSeq).ToArray(),
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
            ActorUserId = rows.Select(r => r.ActorUserId).ToArray(),
        }, tx, cancellationToken: ct));
        return [.. rows.Select(r => r.Seq)];
    }

    /// <summary>A partition's head: how many events it holds, and the seq and hash of its last one.</summary>
    public sealed record Head(string Partition, long Length, long Seq, byte[] Hash);

    /// <summary>The result of walking the chain.</summary>
    /// <param name="Length">Number of events verified (over all partitions) before the first broken link, if any.</param>
    /// <param name="HeadHash">Digest of every partition's verified head (<see cref="HeadsDigest"/>); 64 zeros for an empty chain.</param>
    /// <param name="FirstBrokenSeq">The first event (global seq) whose stored hashes do not match, or that is missing, if any.</param>
    /// <param name="Problem">What is wrong with it.</param>
    public sealed record Verification(long Length, string HeadHash, long? FirstBrokenSeq, string? Problem)
    {
        /// <summary>The partition of the broken link.</summary>
        public string? BrokenPartition { get; init; }

        /// <summary>Every partition's head as verified, in ordinal order of partition (when the chain holds).</summary>
        public IReadOnlyList<Head> Heads { get; init; } = [];
    }

    /// <summary>Walks the whole chain from genesis, streaming rows in seq order, recomputing every hash; names the first broken link.</summary>
    public Task<Verification> VerifyAsync(CancellationToken ct) => VerifyAsync(null, fromGenesis: true, ct);

    /// <summary>
    /// Verifies the chain against <paramref name="anchor"/>, the heads a signed checkpoint vouches for. From the anchor
    /// (<paramref name="fromGenesis"/> false): each anchored head must still be there, with the signed hash and a content
    /// that matches it (a truncation below it, or a rewrite with every later hash recomputed, fails here), then only
    /// the events after it are walked. From genesis: every event is walked, and each partition must pass through its
    /// anchored head.
    /// </summary>
    public async Task<Verification> VerifyAsync(IReadOnlyList<Head>? anchor, bool fromGenesis, CancellationToken ct)
    {
        anchor ??= [];
        var anchored = anchor.ToDictionary(h => h.Partition, StringComparer.Ordinal);
        var state = new Dictionary<string, (long Position, byte[] Prev, long Seq)>(StringComparer.Ordinal);
        long count = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        IAsyncEnumerable<AuditRow> rows;
        if (fromGenesis || anchor.Count == 0)
        {
            rows = conn.QueryUnbufferedAsync<AuditRow>($"select {Columns} from audit_events order by seq");
        }
        else
        {
            var atAnchor = (await conn.QueryAsync<AuditRow>(new CommandDefinition($"""
                select {Columns} from audit_events
                where (partition, partition_seq) in (select * from unnest(@partitions::text[], @lengths::bigint[]))
                """, new { partitions = anchor.Select(h => h.Partition).ToArray(), lengths = anchor.Select(h => h.Length).ToArray() }, cancellationToken: ct)))
                .ToDictionary(r => r.Partition, StringComparer.Ordinal);
            foreach (var head in anchor)
            {
                if (!atAnchor.TryGetValue(head.Partition, out var row))
                {
                    return Missing(head);
                }

                if (!row.Hash.AsSpan().SequenceEqual(head.Hash))
                {
                    return Rewritten(row, head);
                }

                if (!row.Hash.AsSpan().SequenceEqual(HashOf(row)))
                {
                    return Broken(row.Seq, head.Partition, "its content does not match its hash: it was altered");
                }

                state[head.Partition] = (head.Length, head.Hash, head.Seq);
                count += head.Length;
            }

            // The events after the anchored heads, partition by partition through the index, then in seq order. The
            // partitions are found by a loose index scan: one probe per partition, not a pass over the table.
            rows = conn.QueryUnbufferedAsync<AuditRow>($"""
                with recursive parts(partition) as (
                    (select partition from audit_events order by partition limit 1)
                    union all
                    select (select e.partition from audit_events e where e.partition > parts.partition order by e.partition limit 1)
                    from parts where parts.partition is not null
                )
                select e.* from parts
                left join unnest(@partitions::text[], @lengths::bigint[]) h(partition, length) on h.partition = parts.partition
                cross join lateral (select {Columns} from audit_events a
                                    where a.partition = parts.partition and a.partition_seq > coalesce(h.length, 0)) e
                where parts.partition is not null
                order by e.seq
                """, new { partitions = anchor.Select(h => h.Partition).ToArray(), lengths = anchor.Select(h => h.Length).ToArray() });
        }

        await foreach (var row in rows.WithCancellation(ct))
        {
            var (position, prev, _) = state.TryGetValue(row.Partition, out var s) ? s : (0, GenesisOf(row.Partition), 0);
            if (row.PartitionSeq != position + 1)
            {
                return Broken(row.Seq, row.Partition, $"event {position + 1} of partition {row.Partition} is missing: the partition jumps to {row.PartitionSeq}");
            }

            if (!row.PrevHash.AsSpan().SequenceEqual(prev))
            {
                return Broken(row.Seq, row.Partition, "its prev_hash is not the hash of the event before it");
            }

            if (!row.Hash.AsSpan().SequenceEqual(HashOf(row)))
            {
                return Broken(row.Seq, row.Partition, "its content does not match its hash: it was altered");
            }

            if (anchored.TryGetValue(row.Partition, out var signed) && signed.Length == row.PartitionSeq && !row.Hash.AsSpan().SequenceEqual(signed.Hash))
            {
                return Rewritten(row, signed);
            }

            state[row.Partition] = (row.PartitionSeq, row.Hash, row.Seq);
            count++;
        }

        foreach (var head in anchor)
        {
            if (!state.TryGetValue(head.Partition, out var s) || s.Position < head.Length)
            {
                return Missing(head);
            }
        }

        var heads = HeadsOf(state);
        return new Verification(count, Convert.ToHexStringLower(HeadsDigest(heads)), null, null) { Heads = heads };

        Verification Broken(long seq, string partition, string problem) =>
            new(count, Convert.ToHexStringLower(HeadsDigest(HeadsOf(state))), seq, problem) { BrokenPartition = partition };

        Verification Missing(Head signed) => Broken(signed.Seq, signed.Partition,
            $"event {signed.Length} of partition {signed.Partition} (seq {signed.Seq}) is missing: the partition ends below the signed checkpoint that covers it");

        Verification Rewritten(AuditRow row, Head signed) => Broken(row.Seq, row.Partition,
            $"its hash is not the one the signed checkpoint holds for event {signed.Length} of partition {row.Partition}: it or an event before it was rewritten");
    }

    private static List<Head> HeadsOf(Dictionary<string, (long Position, byte[] Prev, long Seq)> state) =>
        [.. state.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => new Head(x.Key, x.Value.Position, x.Value.Seq, x.Value.Prev))];

    /// <summary>One line per partition, in ordinal order: <c>partition length seq head-hash-hex</c>, each ended by '\n'.</summary>
    public static string HeadLines(IEnumerable<Head> heads)
    {
        var text = new StringBuilder();
        foreach (var head in heads)
        {
            text.Append(CultureInfo.InvariantCulture, $"{head.Partition} {head.Length} {head.Seq} {Convert.ToHexStringLower(head.Hash)}\n");
        }

        return text.ToString();
    }

    /// <summary>SHA-256 of <see cref="HeadLines"/>; 32 zero bytes for no partition at all.</summary>
    public static byte[] HeadsDigest(IReadOnlyCollection<Head> heads) =>
        heads.Count == 0 ? new byte[32] : SHA256.HashData(Encoding.UTF8.GetBytes(HeadLines(heads)));

    public const string Columns =
        "seq, partition, partition_seq, occurred_at, actor_org_id, actor_client_id, subject_org_id, object_type, object_id, action, basis_type, basis_id, request_id, details, prev_hash, hash, actor_user_id";

    public static byte[] HashOf(AuditRow row)
    {
        var legacy = row.Partition == LegacyPartition;
        string[] common =
        [
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
        string[] fields = legacy
            ? ["dataspace-audit-v1", row.Seq.ToString(CultureInfo.InvariantCulture), .. common]
            : ["dataspace-audit-v2", row.Partition, row.PartitionSeq.ToString(CultureInfo.InvariantCulture), row.Seq.ToString(CultureInfo.InvariantCulture), .. common];
        if (row.ActorUserId is { } user)
        {
            fields = [.. fields, "actor_user_id:" + user.ToString()];
        }

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
    public string Partition { get; init; } = "";
    public long PartitionSeq { get; init; }
    public DateTime OccurredAt { get; init; }
    public Guid? ActorOrgId { get; init; }
    public string? ActorClientId { get; init; }
    public Guid? ActorUserId { get; init; }
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
