namespace DataSpace.Api.Storage;

/// <summary>
/// The seam between DataSpace and where file bytes live: the embedded filesystem store or Azure Blob Storage.
/// Azure.Storage.Blobs does not restore here (DEPENDENCIES.md); a registry that carries it can replace the REST adapter.
/// </summary>
internal interface IBlobStore
{
    /// <summary>A short name for health reports: filesystem or azure.</summary>
    string Kind { get; }

    /// <summary>Checks the store is reachable and usable (creating its folder or container if needed); throws <see cref="BlobStoreUnavailableException"/> if not.</summary>
    Task CheckAsync(CancellationToken ct);
}

internal sealed class BlobStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
