namespace DataSpace.Api.Storage;

/// <summary>
/// Prepares the blob store at start-up (creates the folder or container), so the first upload does not find it missing.
/// A store that is down does not stop the API: /health/ready reports it, uploads answer 503, and the next probe retries.
/// </summary>
internal sealed partial class BlobStoreWarmup(IBlobStore blobs, ILogger<BlobStoreWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await blobs.CheckAsync(timeout.Token);
        }
        catch (Exception e) when (e is BlobStoreUnavailableException or OperationCanceledException)
        {
            LogUnavailable(logger, blobs.Kind, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Kind} blob store is not usable at start-up: {Reason}. Uploads and downloads answer 503 until it is.")]
    private static partial void LogUnavailable(ILogger logger, string kind, string reason);
}
