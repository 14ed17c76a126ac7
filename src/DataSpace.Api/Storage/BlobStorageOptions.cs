namespace DataSpace.Api.Storage;

/// <summary>
/// Where blobs live. With <see cref="ConnectionString"/> or <see cref="AzureEndpoint"/> set, Azure Blob Storage (or Azurite);
/// else a local folder. An endpoint goes with the account key (<see cref="AccountName"/>, <see cref="AccountKey"/>) or with a
/// token credential (<see cref="TokenCredential"/>).
/// </summary>
internal sealed class BlobStorageOptions
{
    public const string Section = "BlobStorage";

    /// <summary><see cref="TokenCredential"/> value: Azure.Identity's DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI).</summary>
    public const string DefaultCredential = "default";

    /// <summary><see cref="TokenCredential"/> value: the host's managed identity (user-assigned with <see cref="ManagedIdentityClientId"/>).</summary>
    public const string ManagedIdentityCredential = "managed-identity";

    /// <summary>An Azure Storage connection string (DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…, or one with BlobEndpoint=… or a SAS).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob service URL including the account for path-style endpoints, e.g. http://127.0.0.1:10000/devstoreaccount1.</summary>
    public string? AzureEndpoint { get; set; }

    public string? AccountName { get; set; }

    /// <summary>Base64 SharedKey of the account.</summary>
    public string? AccountKey { get; set; }

    /// <summary>Instead of the account key: <see cref="DefaultCredential"/> or <see cref="ManagedIdentityCredential"/> (Entra ID tokens need https).</summary>
    public string? TokenCredential { get; set; }

    /// <summary>Client id of a user-assigned managed identity, with <see cref="ManagedIdentityCredential"/>.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string Container { get; set; } = "dataspace";

    /// <summary>Retries after a failed attempt (408, 429, 5xx, transport errors), with exponential back-off from 0.5 s.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Folder of the embedded filesystem store, used when no Azure endpoint is configured.</summary>
    public string FileSystemRoot { get; set; } = ".dataspace/blobs";

    /// <summary>Whether blobs go to Azure (or Azurite) rather than the filesystem store.</summary>
    public bool IsAzure => !string.IsNullOrEmpty(ConnectionString) || !string.IsNullOrEmpty(AzureEndpoint);

    public string? Problem()
    {
        if (!IsAzure)
        {
            return string.IsNullOrWhiteSpace(FileSystemRoot) ? "Set BlobStorage:FileSystemRoot, BlobStorage:ConnectionString or BlobStorage:AzureEndpoint." : null;
        }

        if (MaxRetries is < 0 or > 10)
        {
            return "BlobStorage:MaxRetries must be 0 to 10.";
        }

        if (!string.IsNullOrEmpty(ConnectionString))
        {
            if (!string.IsNullOrEmpty(AzureEndpoint) || !string.IsNullOrEmpty(TokenCredential))
            {
                return "BlobStorage:ConnectionString goes alone: do not also set AzureEndpoint or TokenCredential.";
            }

            try
            {
                _ = new Azure.Storage.Blobs.BlobServiceClient(ConnectionString);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                return "BlobStorage:ConnectionString is not a valid Azure Storage connection string.";
            }

            return ContainerProblem();
        }

        if (!Uri.TryCreate(AzureEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "BlobStorage:AzureEndpoint must be an absolute http(s) URL.";
        }

        if (!string.IsNullOrEmpty(TokenCredential))
        {
            if (TokenCredential is not (DefaultCredential or ManagedIdentityCredential))
            {
                return $"BlobStorage:TokenCredential must be '{DefaultCredential}' or '{ManagedIdentityCredential}'.";
            }

            if (!string.IsNullOrEmpty(AccountKey))
            {
                return "BlobStorage:TokenCredential and BlobStorage:AccountKey exclude each other.";
            }

            // The SDK refuses to send a bearer token over plain http.
            return uri.Scheme == "https" ? ContainerProblem() : "BlobStorage:AzureEndpoint must be https with a token credential.";
        }

        if (string.IsNullOrEmpty(AccountName) || string.IsNullOrEmpty(AccountKey))
        {
            return "BlobStorage:AccountName and BlobStorage:AccountKey (or BlobStorage:TokenCredential) are required with BlobStorage:AzureEndpoint.";
        }

        Span<byte> key = stackalloc byte[128];
        return Convert.TryFromBase64String(AccountKey, key, out _) ? ContainerProblem() : "BlobStorage:AccountKey must be base64.";
    }

    // Container names: 3–63 lower-case letters, digits and single hyphens (Azure naming rules).
    private string? ContainerProblem() =>
        System.Text.RegularExpressions.Regex.IsMatch(Container, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
            ? null
            : "BlobStorage:Container must be 3–63 lower-case letters, digits and single hyphens.";
}
