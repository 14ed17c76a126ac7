using System.Net;

namespace DataSpace.Api.Storage;

/// <summary>Azure Blob Storage (and Azurite) over the REST API with SharedKey signing.</summary>
internal sealed class AzureBlobStore(HttpClient http, BlobStorageOptions options, TimeProvider clock) : IBlobStore
{
    private readonly SharedKeySigner _signer = new(options.AccountName!, options.AccountKey!);
    private readonly string _containerUrl = options.AzureEndpoint!.TrimEnd('/') + "/" + options.Container;

    public string Kind => "azure";

    public async Task CheckAsync(CancellationToken ct)
    {
        try
        {
            using var probe = await SendAsync(HttpMethod.Get, _containerUrl + "?restype=container", ct);
            if (probe.StatusCode == HttpStatusCode.NotFound)
            {
                using var create = await SendAsync(HttpMethod.Put, _containerUrl + "?restype=container", ct);
                if (create.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
                {
                    throw new BlobStoreUnavailableException($"Creating container '{options.Container}' answered {(int)create.StatusCode}.");
                }
            }
            else if (!probe.IsSuccessStatusCode)
            {
                throw new BlobStoreUnavailableException($"The blob service answered {(int)probe.StatusCode} for container '{options.Container}'.");
            }
        }
        catch (HttpRequestException e)
        {
            throw new BlobStoreUnavailableException($"The blob service at {options.AzureEndpoint} is unreachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new BlobStoreUnavailableException($"The blob service at {options.AzureEndpoint} timed out.", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Put)
        {
            request.Content = new ByteArrayContent([]);
        }

        _signer.Sign(request, clock.GetUtcNow());
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }
}
