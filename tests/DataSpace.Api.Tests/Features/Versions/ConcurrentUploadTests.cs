using System.Net;

namespace DataSpace.Api.Tests.Features.Versions;

/// <summary>An organisation may stream at most Uploads:MaxConcurrentPerOrganization uploads at once (here 1).</summary>
public sealed class ConcurrentUploadTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _api = new DataSpaceApiFactory().WithSetting("Uploads:MaxConcurrentPerOrganization", "1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    /// <summary>A body that sends a first chunk, then waits until released (or cancelled) before it ends.</summary>
    private sealed class StalledContent(TaskCompletionSource release) : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync("a,b\n"u8.ToArray(), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            Started.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync("1,2\n"u8.ToArray(), cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private async Task<(HttpClient Owner, string Dataset, int Version)> Draft(string name)
    {
        var owner = await _api.ClientFor(await _api.OrganizationAsync(name, "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        return (owner, id, await DatasetFlow.OpenVersionAsync(owner, id));
    }

    /// <summary>
    /// A plain client with the owner's token: the factory's clients buffer request bodies (to replay them on redirects),
    /// which would hold a stalled body on the client instead of streaming it.
    /// </summary>
    private static HttpClient Streaming(HttpClient owner)
    {
        // No client-side timeout: the stalled body waits as long as the test needs; the hang detectors bound the test.
        var client = new HttpClient { BaseAddress = owner.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = owner.DefaultRequestHeaders.Authorization;
        return client;
    }

    /// <summary>Polls (a hang detector, not a timing claim) until an upload is accepted again.</summary>
    private static async Task<HttpResponseMessage> UploadWhenFree(HttpClient owner, string id, int version, string path)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // generous: a loaded machine is slow, not wrong
        while (true)
        {
            var response = await DatasetFlow.UploadAsync(owner, id, version, path, "x\n"u8.ToArray());
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            await Task.Delay(50, hang.Token);
        }
    }

    /// <summary>
    /// Starts a stalled upload and uploads small probes until one is refused while the stalled upload still runs. The
    /// stalled body is on the wire before the server has authenticated it and taken its slot, so a probe may get in
    /// first — and when a probe holds the slot at the moment the stalled upload arrives, that upload is the one refused:
    /// then a new stalled upload is started. A hang detector bounds the whole wait.
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> Held, HttpResponseMessage Refused)> HoldSlotAsync(
        Func<CancellationToken, Task<Task<HttpResponseMessage>>> startStalled, HttpClient owner, string id, int version, CancellationToken abort)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // generous: a loaded machine is slow, not wrong
        for (var n = 0; ; n++)
        {
            // Each attempt can be given up on its own: the server may have refused it while its client still waits to
            // send the stalled body, and then nothing holds the slot and every probe gets in.
            var attempt = CancellationTokenSource.CreateLinkedTokenSource(abort);
            var held = await startStalled(attempt.Token);
            for (var probes = 0; probes < 50 && !held.IsCompleted; probes++, n++)
            {
                var response = await DatasetFlow.UploadAsync(owner, id, version, $"probe-{n}.csv", "x\n"u8.ToArray());
                if (response.StatusCode == HttpStatusCode.TooManyRequests && !held.IsCompleted)
                {
                    return (held, response);
                }

                await Task.Delay(20, hang.Token);
            }

            // A probe had the slot when the stalled upload arrived, so it was the one refused: start another.
            await attempt.CancelAsync();
            try
            {
                using var lost = await held;
                Assert.Equal(HttpStatusCode.TooManyRequests, lost.StatusCode);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
            }

            attempt.Dispose();
            hang.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task A_second_concurrent_upload_of_one_organisation_is_429_until_the_first_ends()
    {
        var (owner, id, version) = await Draft("并发上传数源单位");
        var (other, otherId, otherVersion) = await Draft("另一数源单位");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var streaming = Streaming(owner);
        async Task<Task<HttpResponseMessage>> Stalled(CancellationToken attempt)
        {
            var stalled = new StalledContent(release);
            var put = streaming.PutAsync(DatasetFlow.FileUrl(id, version, "slow.csv"), stalled, attempt);
            await Task.WhenAny(stalled.Started.Task.WaitAsync(TimeSpan.FromSeconds(120), Ct), put);
            return put;
        }

        var (first, refused) = await HoldSlotAsync(Stalled, owner, id, version, Ct);
        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "too_many_concurrent_uploads");
        Assert.NotNull(refused.Headers.RetryAfter);
        await (await DatasetFlow.UploadAsync(other, otherId, otherVersion, "other.csv", "x\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);

        release.SetResult();
        await (await first).AssertJson(HttpStatusCode.Created);
        await (await UploadWhenFree(owner, id, version, "second.csv")).AssertJson(HttpStatusCode.Created);
        var files = await (await owner.GetAsync($"/v1/datasets/{id}/versions/{version}", Ct)).AssertJson();
        Assert.Contains("\"slow.csv\"", files.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aborted_upload_gives_its_slot_back()
    {
        var (owner, id, version) = await Draft("中断上传数源单位");
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var streaming = Streaming(owner);
        async Task<Task<HttpResponseMessage>> Stalled(CancellationToken attempt)
        {
            var stalled = new StalledContent(new TaskCompletionSource());
            var put = streaming.PutAsync(DatasetFlow.FileUrl(id, version, "abandoned.csv"), stalled, attempt);
            await Task.WhenAny(stalled.Started.Task.WaitAsync(TimeSpan.FromSeconds(120), Ct), put);
            return put;
        }

        var (first, refused) = await HoldSlotAsync(Stalled, owner, id, version, abort.Token);
        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "too_many_concurrent_uploads");

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        await (await UploadWhenFree(owner, id, version, "b.csv")).AssertJson(HttpStatusCode.Created);
    }
}
