using DataSpace.Api.Features.Audit;
using DataSpace.Api.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Features.Integrity;

/// <summary>
/// The background scrub: reads stored content back, one blob at a time, never-verified content first and then whatever was
/// verified longest ago, and hashes it against the manifest's SHA-256. Damage is recorded (downloads then answer
/// content_unavailable instead of serving wrong bytes), audited for each owner and logged as Critical. Hashing every download
/// instead would halve download throughput and still catch damage only when somebody happens to read it.
/// </summary>
internal sealed partial class ContentScrub(
    IntegrityStore store, ContentVerifier verifier, TimeProvider clock, IOptions<IntegrityOptions> options, ILogger<ContentScrub> logger)
    : BackgroundService
{
    /// <summary>Blobs claimed per batch; the byte budget usually ends a batch first.</summary>
    private const int ClaimLimit = 64;

    private static readonly AuditActor Actor = new(null, "integrity-scrub", null);

    /// <summary>One batch: verifies due blobs until <see cref="IntegrityOptions.BatchBytes"/> are read; returns how many were verified.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var due = await store.ClaimDueAsync(now, now - TimeSpan.FromDays(o.ReverifyAfterDays), TimeSpan.FromMinutes(10), ClaimLimit, ct);
        long read = 0;
        var verified = 0;
        try
        {
            foreach (var blob in due)
            {
                if (read >= o.BatchBytes)
                {
                    break;
                }

                await verifier.VerifyAsync(blob, Actor, ct);
                read += blob.Size;
                verified++;
            }
        }
        finally
        {
            if (verified < due.Count)
            {
                await store.ReleaseAsync(due.Skip(verified).Select(b => b.Sha256), CancellationToken.None);
            }
        }

        return verified;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Scrub)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or BlobStoreUnavailableException or IOException)
            {
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scrub batch failed (the store or the database is unavailable); it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
