using Microsoft.Extensions.Options;

namespace DataSpace.Api.Storage;

internal static class StorageServices
{
    public static IServiceCollection AddDataSpaceStorage(this IServiceCollection services)
    {
        services.AddOptions<BlobStorageOptions>().BindConfiguration(BlobStorageOptions.Section)
            .Validate(o => o.Problem() is null, "BlobStorage settings are invalid: set ConnectionString; or AzureEndpoint with AccountName and AccountKey or with TokenCredential; or FileSystemRoot.")
            .ValidateOnStart();
        services.AddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
            return options.IsAzure ? new AzureBlobStore(options) : new FileSystemBlobStore(options.FileSystemRoot);
        });
        services.AddHostedService<BlobStoreWarmup>();
        return services;
    }
}
