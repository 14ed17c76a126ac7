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
