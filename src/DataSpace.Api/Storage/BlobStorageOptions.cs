namespace DataSpace.Api.Storage;

/// <summary>Where blobs live. With <see cref="AzureEndpoint"/> set, Azure Blob Storage (or Azurite); else a local folder.</summary>
internal sealed class BlobStorageOptions
{
    public const string Section = "BlobStorage";

    /// <summary>Blob service URL including the account for path-style endpoints, e.g. http://127.0.0.1:10000/devstoreaccount1.</summary>
    public string? AzureEndpoint { get; set; }

    public string? AccountName { get; set; }

    /// <summary>Base64 SharedKey of the account.</summary>
    public string? AccountKey { get; set; }

    public string Container { get; set; } = "dataspace";

    /// <summary>Folder of the embedded filesystem store, used when no Azure endpoint is configured.</summary>
    public string FileSystemRoot { get; set; } = ".dataspace/blobs";

    public string? Problem()
    {
        if (string.IsNullOrEmpty(AzureEndpoint))
        {
            return string.IsNullOrWhiteSpace(FileSystemRoot) ? "Set BlobStorage:FileSystemRoot or BlobStorage:AzureEndpoint." : null;
        }

        if (!Uri.TryCreate(AzureEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "BlobStorage:AzureEndpoint must be an absolute http(s) URL.";
        }

        if (string.IsNullOrEmpty(AccountName) || string.IsNullOrEmpty(AccountKey))
        {
            return "BlobStorage:AccountName and BlobStorage:AccountKey are required with BlobStorage:AzureEndpoint.";
        }

        Span<byte> key = stackalloc byte[128];
        if (!Convert.TryFromBase64String(AccountKey, key, out _))
        {
            return "BlobStorage:AccountKey must be base64.";
        }

        // Container names: 3–63 lower-case letters, digits and single hyphens (Azure naming rules).
        return System.Text.RegularExpressions.Regex.IsMatch(Container, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
            ? null
            : "BlobStorage:Container must be 3–63 lower-case letters, digits and single hyphens.";
    }
}
