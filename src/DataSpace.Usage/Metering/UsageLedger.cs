using Dapper;
using Npgsql;

namespace DataSpace.Usage.Metering;

/// <summary>What the server knows about a download when it starts.</summary>
public sealed record DownloadStarted(
    Guid ConsumerId, string ClientId, Guid DatasetId, Guid OwnerId, int VersionNumber, string Path,
    long? RangeStart, long? RangeEnd, long BytesRequested, string RequestId, DateTimeOffset At, string Representation = "original");

/// <summary>
/// The usage ledger. Every download request is written twice: when it starts (so a crash mid-transfer still leaves
/// an in_progress event) and when it ends, completed or aborted, with the bytes really sent. Written by the server
/// only; clients never report usage.
/// </summary>
public sealed class UsageLedger(NpgsqlDataSource db)
{
    /// <summary>Identifies an event row (the ledger is partitioned by month, so the time is part of the key).</summary>
    public readonly record struct EventKey(Guid Id, DateTimeOffset OccurredAt);

    public async Task<EventKey> StartAsync(DownloadStarted e, CancellationToken ct)
    {
        var key = new EventKey(Guid.CreateVersion7(e.At), e.At);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into usage_events (id, occurred_at, consumer_id, client_id, dataset_id, owner_id, version_number, path,
                                      range_start, range_end, bytes_requested, bytes_sent, status, request_id, representation)
            values (@Id, @OccurredAt, @ConsumerId, @ClientId, @DatasetId, @OwnerId, @VersionNumber, @Path,
                    @RangeStart, @RangeEnd, @BytesRequested, 0, 'in_progress', @RequestId, @Representation)
            """, new
        {
            key.Id, key.OccurredAt, e.ConsumerId, e.ClientId, e.DatasetId, e.OwnerId, e.VersionNumber, e.Path,
            e.RangeStart, e.RangeEnd, e.BytesRequested, e.RequestId, e.Representation,
        }, cancellationToken: ct));
        return key;
    }

    /// <summary>Records how the download ended. Call with CancellationToken.None: the client may be gone, the record must not be.</summary>
    public async Task FinishAsync(EventKey key, long bytesSent, bool completed, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            update usage_events set bytes_sent = @bytesSent, status = @status, finished_at = @at
            where id = @Id and occurred_at = @OccurredAt
            """, new { key.Id, key.OccurredAt, bytesSent, status = completed ? "completed" : "aborted", at }, cancellationToken: ct));
    }
}
