using Microsoft.Extensions.Options;

namespace DataSpace.Api.Storage;

internal static class StorageServices
{
    public static IServiceCollection AddDataSpaceStorage(this IServiceCollection services)
    {
        services.AddOptions<BlobStorageOptions>().BindConfiguration(BlobStorageOptions.Section)
            .Validate(o => o.Problem() is null, "BlobStorage settings are invalid: set AzureEndpoint, AccountName, AccountKey and Container together, or FileSystemRoot.")
            .ValidateOnStart();
        services.AddHttpClient(nameof(AzureBlobStore), c => c.Timeout = TimeSpan.FromSeconds(100));
        services.AddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
            return string.IsNullOrEmpty(options.AzureEndpoint)
                ? new FileSystemBlobStore(options.FileSystemRoot)
                : new AzureBlobStore(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AzureBlobStore)), options, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }
}
