using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace DataSpace.Api.Features.Audit;

/// <summary>A stored checkpoint: the exact signed bytes and the signature.</summary>
internal sealed record CheckpointRow(long Number, DateTime CreatedAt, string KeyId, long Events, byte[] Message, byte[] Signature);

/// <summary>
/// Signed checkpoints over every partition head of the audit chain, and verification from the last one.
///
/// Message (version 1), UTF-8, every line ended by '\n':
/// <c>dataspace-audit-checkpoint-v1</c>, <c>number N</c>, <c>created_at yyyy-MM-ddTHH:mm:ss.ffffffZ</c>,
/// <c>previous H</c> (hex SHA-256 of the previous checkpoint's message; 64 zeros for the first), <c>key_id K</c>,
/// <c>events E</c> (over all partitions), <c>partitions P</c>, then P lines <c>partition length seq head-hash</c> in
/// ordinal order of partition. The signature is Ed25519 over exactly these bytes. A checkpoint is signed only after the
/// events since the previous one verify, so each checkpoint vouches for everything before it.
/// </summary>
internal sealed class AuditCheckpoints(NpgsqlDataSource db, AuditChain chain, CheckpointSigner signer, TimeProvider clock)
{
    // "DSCKPT": one checkpoint signer at a time over all replicas, so numbers stay gapless and each names its predecessor.
    private const long LockKey = 0x44_53_43_4B_50_54;

    private const string Magic = "dataspace-audit-checkpoint-v1";

    /// <summary>A checkpoint's message, read back.</summary>
    public sealed record Parsed(long Number, DateTimeOffset CreatedAt, string Previous, string KeyId, long Events, IReadOnlyList<AuditChain.Head> Heads);

    /// <summary>What creating a checkpoint came to: the checkpoint (new, or the latest when nothing changed), or the broken chain.</summary>
    public sealed record Outcome(CheckpointRow? Checkpoint, bool Created, AuditChain.Verification Verification, long? FromCheckpoint);

    public const string Columns = "number, created_at, key_id, events, message, signature";

    public async Task<CheckpointRow?> LatestAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(
            $"select {Columns} from audit_checkpoints order by number desc limit 1", cancellationToken: ct));
    }

    public async Task<CheckpointRow?> GetAsync(long number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(
            $"select {Columns} from audit_checkpoints where number = @number", new { number }, cancellationToken: ct));
    }

    /// <summary>Newest first, keyset by number.</summary>
    public async Task<List<CheckpointRow>> ListAsync(long? before, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CheckpointRow>(new CommandDefinition(
            $"select {Columns} from audit_checkpoints where (@before::bigint is null or number < @before) order by number desc limit @limit",
            new { before, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Verifies the chain from the last checkpoint: its signature and its link to the one before, then every anchored
    /// head, then the events after it. <paramref name="fromGenesis"/> walks every event instead, still holding each
    /// partition to its signed head.
    /// </summary>
    public async Task<Outcome> VerifyAsync(bool fromGenesis, CancellationToken ct)
    {
        var (latest, parsed, problem) = await LatestVerifiedAsync(ct);
        if (problem is not null)
        {
            return new Outcome(latest, false, new AuditChain.Verification(0, Convert.ToHexStringLower(new byte[32]), null, problem), latest?.Number);
        }

        var verification = await chain.VerifyAsync(parsed?.Heads, fromGenesis, ct);
        return new Outcome(latest, false, verification, latest?.Number);
    }

    /// <summary>
    /// Signs a checkpoint over the current heads once the events since the last checkpoint verify; when nothing was
    /// appended since, answers the latest one. A broken chain is never signed.
    /// </summary>
    public async Task<Outcome> CreateAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct));
        var (latest, parsed, problem) = await LatestVerifiedAsync(ct);
        if (problem is not null)
        {
            return new Outcome(null, false, new AuditChain.Verification(0, Convert.ToHexStringLower(new byte[32]), null, problem), latest?.Number);
        }

        var verification = await chain.VerifyAsync(parsed?.Heads, fromGenesis: false, ct);
        if (verification.FirstBrokenSeq is not null)
        {
            return new Outcome(null, false, verification, latest?.Number);
        }

        if (latest is not null && AuditChain.HeadLines(parsed!.Heads) == AuditChain.HeadLines(verification.Heads))
        {
            return new Outcome(latest, false, verification, latest.Number);
        }

        var number = (latest?.Number ?? 0) + 1;
        var at = clock.GetUtcNow().UtcDateTime;
        at = new DateTime(at.Ticks - (at.Ticks % 10), DateTimeKind.Utc);
        var previous = latest is null ? new byte[32] : SHA256.HashData(latest.Message);
        var events = verification.Heads.Sum(h => h.Length);
        var message = MessageOf(number, at, previous, signer.KeyId, events, verification.Heads);
        var row = new CheckpointRow(number, at, signer.KeyId, events, message, signer.Sign(message));
        await conn.ExecuteAsync(new CommandDefinition(
            "insert into audit_checkpoints (number, created_at, key_id, events, message, signature) values (@Number, @CreatedAt, @KeyId, @Events, @Message, @Signature)",
            row, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new Outcome(row, true, verification, latest?.Number);
    }

    /// <summary>The latest checkpoint, once its signature, key and link to its predecessor hold; else what is wrong.</summary>
    private async Task<(CheckpointRow? Row, Parsed? Parsed, string? Problem)> LatestVerifiedAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var last = (await conn.QueryAsync<CheckpointRow>(new CommandDefinition(
            $"select {Columns} from audit_checkpoints order by number desc limit 2", cancellationToken: ct))).AsList();
        if (last.Count == 0)
        {
            return (null, null, null);
        }

        var latest = last[0];
        if (!signer.Trusts(latest.KeyId))
        {
            return (latest, null, $"checkpoint {latest.Number} was signed by key {latest.KeyId}, which this API does not trust " +
                $"(its own key is {signer.KeyId}; a retired key goes in Audit:Checkpoints:RetiredPublicKeyPaths)");
        }

        if (!signer.Verify(latest.KeyId, latest.Message, latest.Signature) || Parse(latest.Message) is not { } parsed
            || parsed.Number != latest.Number || parsed.KeyId != latest.KeyId)
        {
            return (latest, null, $"checkpoint {latest.Number} does not verify against its signature: the checkpoint was altered");
        }

        var expectedPrevious = last.Count > 1 ? Convert.ToHexStringLower(SHA256.HashData(last[1].Message)) : Convert.ToHexStringLower(new byte[32]);
        if ((last.Count > 1 && last[1].Number != latest.Number - 1) || (last.Count == 1 && latest.Number != 1) || parsed.Previous != expectedPrevious)
        {
            return (latest, null, $"checkpoint {latest.Number} does not follow the checkpoint before it: checkpoints were removed or replaced");
        }

        return (latest, parsed, null);
    }

    public static byte[] MessageOf(long number, DateTime createdAt, byte[] previous, string keyId, long events, IReadOnlyList<AuditChain.Head> heads)
    {
        var text = new StringBuilder();
        text.Append(Magic).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"number {number}\n");
        text.Append(CultureInfo.InvariantCulture, $"created_at {createdAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)}\n");
        text.Append(CultureInfo.InvariantCulture, $"previous {Convert.ToHexStringLower(previous)}\n");
        text.Append(CultureInfo.InvariantCulture, $"key_id {keyId}\n");
        text.Append(CultureInfo.InvariantCulture, $"events {events}\n");
        text.Append(CultureInfo.InvariantCulture, $"partitions {heads.Count}\n");
        text.Append(AuditChain.HeadLines(heads));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads a message this class wrote; null when it is not one.</summary>
    public static Parsed? Parse(byte[] message)
    {
        var lines = Encoding.UTF8.GetString(message).Split('\n');
        if (lines.Length < 8 || lines[0] != Magic || lines[^1] != "")
        {
            return null;
        }

        string? Field(int i, string name) => lines[i].StartsWith(name + " ", StringComparison.Ordinal) ? lines[i][(name.Length + 1)..] : null;
        if (!long.TryParse(Field(1, "number"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !DateTimeOffset.TryParseExact(Field(2, "created_at"), "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var createdAt)
            || Field(3, "previous") is not { } previous || Field(4, "key_id") is not { } keyId
            || !long.TryParse(Field(5, "events"), NumberStyles.None, CultureInfo.InvariantCulture, out var events)
            || !int.TryParse(Field(6, "partitions"), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || lines.Length != 8 + count)
        {
            return null;
        }

        var heads = new List<AuditChain.Head>(count);
        for (var i = 0; i < count; i++)
        {
            var parts = lines[7 + i].Split(' ');
            if (parts.Length != 4 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || parts[3].Length != 64)
            {
                return null;
            }

            heads.Add(new AuditChain.Head(parts[0], length, seq, Convert.FromHexString(parts[3])));
        }

        return new Parsed(number, createdAt, previous, keyId, events, heads);
    }
}

/// <summary>Signs a checkpoint at every interval (on the TimeProvider's clock) when the chain has grown; a broken chain is logged, never signed.</summary>
internal sealed partial class CheckpointService(AuditCheckpoints checkpoints, TimeProvider clock, Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, ILogger<CheckpointService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var outcome = await checkpoints.CreateAsync(stoppingToken);
                    if (outcome.Verification.FirstBrokenSeq is not null || outcome.Verification.Problem is not null)
                    {
                        LogBroken(logger, outcome.Verification.FirstBrokenSeq, outcome.Verification.Problem);
                    }
                    else if (outcome.Created)
                    {
                        LogSigned(logger, outcome.Checkpoint!.Number, outcome.Checkpoint.Events);
                    }
                }
                // A failed round must not stop the host (a BackgroundService's exception does): the next tick retries.
                catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    LogUnavailable(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The audit chain does not verify, so no checkpoint was signed: first broken event {Seq}: {Problem}")]
    private static partial void LogBroken(ILogger logger, long? seq, string? problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed audit checkpoint {Number} over {Events} events")]
    private static partial void LogSigned(ILogger logger, long number, long events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sign an audit checkpoint this round (database unavailable or busy); retrying at the next interval")]
    private static partial void LogUnavailable(ILogger logger, Exception e);
}
