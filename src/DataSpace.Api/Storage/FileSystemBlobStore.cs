namespace DataSpace.Api.Storage;

/// <summary>Blobs as files under one folder: the embedded default when no Azure endpoint is configured.</summary>
internal sealed class FileSystemBlobStore(string root) : IBlobStore
{
    public string Kind => "filesystem";

    public string Root { get; } = Path.GetFullPath(root);

    public Task CheckAsync(CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(Root);
            var probe = Path.Combine(Root, ".probe-" + Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"The blob folder {Root} is not writable: {e.Message}", e);
        }
    }
}
