namespace DataSpace.Api.Tests.Features.Health;

public sealed class HealthTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task Live_and_ready_answer_without_a_token_when_database_and_blob_store_are_up()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = api.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", ct)).StatusCode);
        var ready = await (await http.GetAsync("/health/ready", ct)).AssertJson();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("blob_store").GetString());
    }
}

/// <summary>The same API pointed at a blob endpoint where nothing listens.</summary>
public sealed class HealthWithBlobStoreDownTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _api = new DataSpaceApiFactory().WithSetting("BlobStorage:AzureEndpoint", "http://127.0.0.1:1/devstoreaccount1");

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Ready_is_a_503_problem_naming_the_blob_store()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = _api.Anonymous();
        var response = await http.GetAsync("/health/ready", ct);
        var problem = await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "not_ready");
        Assert.Equal("unavailable", problem.GetProperty("checks").GetProperty("blob_store").GetString());
        Assert.Equal("ok", problem.GetProperty("checks").GetProperty("database").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }
}

/// <summary>
/// The same API pointed at a blob endpoint that accepts connections and never answers: the readiness probe gives up on its own
/// short network timeout after one retry, well inside the endpoint's 5 s budget, rather than waiting on the store.
/// </summary>
public sealed class HealthWithBlobStoreHangingTests : IAsyncLifetime
{
    private readonly System.Net.Sockets.TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];
    private readonly DataSpaceApiFactory _api;
    private int _connections;

    public HealthWithBlobStoreHangingTests()
    {
        _silent.Start();
        _api = new DataSpaceApiFactory().WithSetting("BlobStorage:AzureEndpoint", $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/devstoreaccount1");
        _ = AcceptForeverAsync();
    }

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _silent.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Ready_gives_up_on_a_silent_blob_store_after_two_short_attempts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = _api.Anonymous();
        var before = Volatile.Read(ref _connections);

        var response = await http.GetAsync("/health/ready", ct);

        var problem = await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "not_ready");
        Assert.Equal("unavailable", problem.GetProperty("checks").GetProperty("blob_store").GetString());
        // Two attempts (one retry) that each timed out by themselves; a probe waiting on the 5 s budget would have made one.
        Assert.Equal(2, Volatile.Read(ref _connections) - before);
    }

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (true)
            {
                var client = await _silent.AcceptTcpClientAsync();
                lock (_held)
                {
                    _held.Add(client);
                }

                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }
}
