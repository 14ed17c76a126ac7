namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// The API on the filesystem blob store with a 4 MiB file limit: tests can list every stored blob and hit the limit cheaply.
/// Uploads per organisation are not capped at the default 4 here, so concurrency tests can race 8 identical uploads.
/// </summary>
public sealed class FileSystemApiFactory : IAsyncLifetime
{
    public const int MaxFileBytes = 4 * 1024 * 1024;

    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory()
        .WithFileSystemBlobs()
        .WithSetting("Files:MaxFileBytes", MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Uploads:MaxConcurrentPerOrganization", "64");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
