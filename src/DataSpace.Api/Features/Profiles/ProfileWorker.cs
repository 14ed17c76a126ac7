using System.Threading.Channels;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Versions;
using DataSpace.Parquet;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Profiles;

/// <summary>Wakes this replica's profiling worker at once after a commit (other replicas find the work by polling).</summary>
[FeatureService]
internal sealed class ProfileSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _channel.Reader.WaitToReadAsync(linked.Token);
            _channel.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }
}

/// <summary>
/// Profiles queued content one file at a time: woken by commits, polling as well, so pending rows left by a restart or by
/// another replica are always picked up. A profile that fails is recorded with its reason; it never touches the version.
/// </summary>
internal sealed partial class ProfileWorker(
    ProfileStore store, IBlobStore blobs, ProfileSignal signal, IOptions<ProfilingOptions> options, TimeProvider clock, ILogger<ProfileWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        var profiler = new FileProfiler(o);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessOneAsync(profiler, o, stoppingToken))
                {
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                LogQueueUnavailable(logger, e);
            }

            await signal.WaitAsync(TimeSpan.FromSeconds(o.PollSeconds), clock, stoppingToken);
        }
    }

    /// <summary>Claims and profiles one content; false when there was nothing to do (or the blob store is down: retry at the next poll).</summary>
    private async Task<bool> ProcessOneAsync(FileProfiler profiler, ProfilingOptions o, CancellationToken ct)
    {
        var claim = await store.ClaimAsync(clock.GetUtcNow(), TimeSpan.FromSeconds(o.LeaseSeconds), ct);
        if (claim is null)
        {
            return false;
        }

        if (claim.Attempts > o.MaxAttempts)
        {
            var gaveUp = $"Given up after {o.MaxAttempts} attempts that did not finish.";
            await (claim.Status == ProfileStatuses.Pending
                ? store.FailedAsync(claim.Sha256, null, gaveUp, clock.GetUtcNow(), 0, CancellationToken.None)
                : store.RenditionFailedAsync(claim.Sha256, gaveUp, CancellationToken.None));
            return true;
        }

        if (claim.Status != ProfileStatuses.Pending)
        {
            return await RenderAsync(claim, o, ct);
        }

        return await GivingBackOnOutageAsync(claim, async () =>
        {
            var started = clock.GetTimestamp();
            try
            {
                var result = await profiler.ProfileAsync(new BlobSource(blobs, claim.BlobKey, claim.Size), ct);
                var ms = Elapsed(started);
                await store.DoneAsync(claim.Sha256, result, clock.GetUtcNow(), ms, CancellationToken.None);
                LogProfiled(logger, claim.BlobKey, result.Format, result.RowCount, claim.Size, ms);
            }
            catch (ProfileFailedException e)
            {
                await store.FailedAsync(claim.Sha256, null, e.Message, clock.GetUtcNow(), Elapsed(started), CancellationToken.None);
            }
            catch (BlobNotFoundException)
            {
                LogMissing(logger, claim.BlobKey);
                await store.FailedAsync(claim.Sha256, null, "The content is missing from the blob store.", clock.GetUtcNow(), Elapsed(started), CancellationToken.None);
            }
        }, ct);
    }

    /// <summary>Writes the Parquet rendition of profiled csv, tsv or jsonl content.</summary>
    private Task<bool> RenderAsync(ProfileStore.Claim claim, ProfilingOptions o, CancellationToken ct) =>
        GivingBackOnOutageAsync(claim, async () =>
        {
            var started = clock.GetTimestamp();
            try
            {
                var (key, size, sha256) = await Renditions.RenderAsync(blobs, claim, o, ct);
                var ms = Elapsed(started);
                await store.RenditionDoneAsync(claim.Sha256, key, size, sha256, CancellationToken.None);
                LogRendered(logger, claim.BlobKey, key, size, ms);
            }
            catch (Exception e) when (e is ProfileFailedException or ParquetFormatException or ParquetNotSupportedException or FormatException or OverflowException or ArgumentException)
            {
                await store.RenditionFailedAsync(claim.Sha256, e.Message, CancellationToken.None);
            }
        }, ct);

    /// <summary>
    /// Does the work of a claim; when the blob store is unreachable (false: retry at the next poll), or the service is
    /// stopping, gives the claim back so that the next poll, the next start or another replica takes it at once.
    /// </summary>
    private async Task<bool> GivingBackOnOutageAsync(ProfileStore.Claim claim, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await work();
            return true;
        }
        catch (Exception e) when (e is BlobStoreUnavailableException or IOException or HttpRequestException)
        {
            LogStoreUnavailable(logger, e);
            await store.ReleaseAsync(claim.Sha256, CancellationToken.None);
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await store.ReleaseAsync(claim.Sha256, CancellationToken.None);
            throw;
        }
    }

    private long Elapsed(long started) => (long)clock.GetElapsedTime(started).TotalMilliseconds;

    private sealed class BlobSource(IBlobStore blobs, string key, long size) : IProfileSource
    {
        public long Size => size;

        public async Task<Stream> OpenAsync(long offset, long? length, CancellationToken ct) => await blobs.OpenReadAsync(key, offset, length, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Profiled blob {BlobKey} as {Format}: {Rows} rows, {Bytes} bytes in {DurationMs} ms")]
    private static partial void LogProfiled(ILogger logger, string blobKey, string format, long? rows, long bytes, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rendered blob {BlobKey} as Parquet {RenditionKey}: {Bytes} bytes in {DurationMs} ms")]
    private static partial void LogRendered(ILogger logger, string blobKey, string renditionKey, long bytes, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The profiling queue is unreachable; retrying at the next poll")]
    private static partial void LogQueueUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The blob store is unavailable; profiling resumes at the next poll")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Blob {BlobKey} is missing from the blob store; its profile is recorded as failed")]
    private static partial void LogMissing(ILogger logger, string blobKey);
}
