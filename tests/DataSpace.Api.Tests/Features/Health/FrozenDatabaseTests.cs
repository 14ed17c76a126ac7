using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Health;

/// <summary>The API reaches PostgreSQL through a TCP relay the test freezes (see <see cref="FreezableRelay"/>).</summary>
public sealed class FrozenDatabaseTests : IAsyncLifetime
{
    private readonly FreezableRelay _relay;
    private readonly DataSpaceApiFactory _api = new();

    public FrozenDatabaseTests() => _relay = FreezableRelay.For(_api);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _relay.Dispose();
    }

    [Fact]
    public async Task Readiness_and_requests_answer_503_problems_when_the_database_freezes()
    {
        using var http = _api.Anonymous();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var token = await _api.ClientFor(await _api.OperatorAsync());
        Assert.Equal("ok", (await (await http.GetAsync("/health/ready", Ct)).AssertJson()).GetProperty("checks").GetProperty("database").GetString());

        _relay.Freeze();

        // Only a hang detector: without bounded timeouts these calls wait 30 s and more.
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector: generous on a loaded machine
        var ready = await http.GetAsync("/health/ready", hang.Token);
        var problem = await ready.AssertProblem(HttpStatusCode.ServiceUnavailable, "not_ready");
        Assert.Equal("unavailable", problem.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("ok", problem.GetProperty("checks").GetProperty("blob_store").GetString());

        token.Timeout = Timeout.InfiniteTimeSpan;
        await (await token.GetAsync("/v1/datasets", hang.Token)).AssertProblem(HttpStatusCode.ServiceUnavailable, "database_unavailable");
    }

    [Fact]
    public void The_timeouts_reach_the_data_source_unless_the_connection_string_sets_them()
    {
        var db = _api.Services.GetRequiredService<NpgsqlDataSource>();
        var applied = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        Assert.Equal((2, 2, 1000), (applied.Timeout, applied.CommandTimeout, applied.CancellationTimeout));

        var own = new NpgsqlConnectionStringBuilder("Host=h;Command Timeout=60");
        Api.Database.DatabaseServices.ApplyTimeouts(own, own.ConnectionString, new Api.Database.DatabaseTimeoutOptions());
        Assert.Equal((5, 60, 2000), (own.Timeout, own.CommandTimeout, own.CancellationTimeout));
    }
}
