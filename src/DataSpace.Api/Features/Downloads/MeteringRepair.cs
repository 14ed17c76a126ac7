using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Dapper;
using DataSpace.Usage.Metering;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Features.Downloads;

/// <summary>How the usage ledger repairs itself after the database failed mid-download (section Metering).</summary>
internal sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>Seconds between retries of final updates that failed, and sweeps (Metering__RepairSeconds).</summary>
    [Range(1, 3600, ErrorMessage = "Set Metering:RepairSeconds between 1 and 3600.")]
    public int RepairSeconds { get; set; } = 30;

    /// <summary>Hours after which an event still in_progress belongs to a download no process will finish (Metering__StaleAfterHours).</summary>
    [Range(1, 720, ErrorMessage = "Set Metering:StaleAfterHours between 1 and 720.")]
    public int StaleAfterHours { get; set; } = 24;
}

/// <summary>
/// Keeps the usage ledger true when PostgreSQL fails while a download ends. The final update (bytes really sent,
/// completed or aborted) is written at once; when that fails it is kept and retried every Metering:RepairSeconds
/// until the database answers, so the bytes known to this process are not lost. An event whose process died before
/// its final update stays in_progress: after Metering:StaleAfterHours the sweep closes it as aborted with the bytes it
/// recorded. Retries are per process (the bytes sent are known only here); the sweep is safe on every replica.
/// </summary>
internal sealed partial class MeteringRepair(
    UsageLedger ledger, NpgsqlDataSource db, TimeProvider clock, IOptions<MeteringOptions> options, ILogger<MeteringRepair> logger) : BackgroundService
{
    /// <summary>Longest look-back of the sweep beyond the stale age: it keeps the sweep to recent partitions.</summary>
    private static readonly TimeSpan SweepWindow = TimeSpan.FromDays(7);

    private readonly ConcurrentQueue<Finish> _pending = new();

    private sealed record Finish(UsageLedger.EventKey Key, long BytesSent, bool Completed, DateTimeOffset At);

    /// <summary>Final updates waiting for the database.</summary>
    public int Pending => _pending.Count;

    /// <summary>Records how a download ended, now or, when the database fails, at a later retry.</summary>
    public async Task FinishAsync(UsageLedger.EventKey key, long bytesSent, bool completed, DateTimeOffset at)
    {
        try
        {
            await ledger.FinishAsync(key, bytesSent, completed, at, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _pending.Enqueue(new Finish(key, bytesSent, completed, at));
            LogDeferred(logger, e, key.Id, bytesSent);
        }
    }

    /// <summary>Retries the waiting final updates (stopping at the first failure), then closes stale events. Returns how many rows were repaired.</summary>
    public async Task<long> RunOnceAsync(CancellationToken ct)
    {
        long repaired = 0;
        for (var n = _pending.Count; n > 0 && _pending.TryPeek(out var finish); n--)
        {
            await ledger.FinishAsync(finish.Key, finish.BytesSent, finish.Completed, finish.At, ct);
            _pending.TryDequeue(out _);
            repaired++;
        }

        var staleBefore = clock.GetUtcNow() - TimeSpan.FromHours(options.Value.StaleAfterHours);
        await using var conn = await db.OpenConnectionAsync(ct);
        var closed = await conn.ExecuteAsync(new CommandDefinition("""
            update usage_events set status = 'aborted', finished_at = @now
            where status = 'in_progress' and occurred_at >= @windowStart and occurred_at < @staleBefore
            """, new { now = clock.GetUtcNow(), windowStart = staleBefore - SweepWindow, staleBefore }, cancellationToken: ct));
        if (repaired + closed > 0)
        {
            LogRepaired(logger, repaired, closed);
        }

        return repaired + closed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RepairSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogRetryFailed(logger, e, _pending.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The final usage update of event {EventId} ({BytesSent} bytes sent) failed; it is retried until the database answers")]
    private static partial void LogDeferred(ILogger logger, Exception exception, Guid eventId, long bytesSent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage ledger repaired: {Retried} deferred final updates written, {Closed} stale in_progress events closed as aborted")]
    private static partial void LogRepaired(ILogger logger, long retried, long closed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage ledger repair failed; {Pending} final updates still wait for the database")]
    private static partial void LogRetryFailed(ILogger logger, Exception exception, int pending);
}
