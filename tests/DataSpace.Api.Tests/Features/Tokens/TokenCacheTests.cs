using System.Net.Http.Headers;
using Dapper;
using DataSpace.Api.Auth;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Tokens;

/// <summary>Two API instances on one database, as two replicas behind a load balancer.</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    // A lease far above any stall of a loaded test machine, so a cache is never bypassed unless a test makes it so.
    private const string Lease = "00:00:10";

    public DataSpaceApiFactory A { get; } = new DataSpaceApiFactory().WithSetting("TokenCache:Lease", Lease);

    public DataSpaceApiFactory B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await A.InitializeAsync();
        await A.OperatorAsync();
        B = new DataSpaceApiFactory().SharingStateOf(A).WithSetting("TokenCache:Lease", Lease);
        await B.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

public sealed class TokenCacheTests(TwoInstances pair) : IClassFixture<TwoInstances>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataSpaceApiFactory A => pair.A;

    private DataSpaceApiFactory B => pair.B;

    private static TokenCache CacheOf(DataSpaceApiFactory api) => api.Services.GetRequiredService<TokenCache>();

    internal static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // a hang detector
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until " + what);
            await Task.Delay(10, Ct);
        }
    }

    private async Task BothListening()
    {
        await Until(() => CacheOf(A).Diagnostics.Usable, "A's token cache listens");
        await Until(() => CacheOf(B).Diagnostics.Usable, "B's token cache listens");
    }

    private static HttpClient Bearer(DataSpaceApiFactory api, string token)
    {
        var http = api.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Repeats an accepted request on <paramref name="api"/> until one was answered from its token cache.</summary>
    private static async Task WarmAsync(DataSpaceApiFactory api, HttpClient http, string path = "/v1/organizations/me")
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // a hang detector
        while (true)
        {
            var hits = CacheOf(api).Diagnostics.Hits;
            using var response = await http.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (CacheOf(api).Diagnostics.Hits > hits)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for a cache hit");
        }
    }

    private static async Task RevokeAsync(DataSpaceApiFactory api, Credentials org, string token)
    {
        using var anon = api.Anonymous();
        using var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revocation")
        {
            Content = new FormUrlEncodedContent([new("token", token), new("client_id", org.ClientId), new("client_secret", org.ClientSecret)]),
        };
        Assert.Equal(HttpStatusCode.OK, (await anon.SendAsync(revoke, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_token_revoked_on_A_is_refused_by_the_very_next_request_on_B()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存撤销测试单位", "model_builder");
        var token = await A.TokenAsync(org);
        using var onB = Bearer(B, token);
        await WarmAsync(B, onB);

        await RevokeAsync(A, org, token);

        await (await onB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
        using var onA = Bearer(A, token);
        await (await onA.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_client_disabled_on_A_is_refused_by_the_very_next_request_on_B()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存停用客户端单位", "model_builder");
        var token = await A.TokenAsync(org);
        using var onB = Bearer(B, token);
        await WarmAsync(B, onB);

        using var op = await A.OperatorClient();
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/v1/clients/{org.ClientId}", Ct)).StatusCode);

        await (await onB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_role_taken_away_counts_on_B_once_the_change_is_fenced()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存角色变更运营方", "operator");
        using var onB = Bearer(B, await A.TokenAsync(org));
        await WarmAsync(B, onB, "/v1/organizations?limit=1");

        // No endpoint changes roles yet: the operator's SQL stands in for one, and the fence is what such an endpoint awaits.
        await using (var conn = new NpgsqlConnection(A.ConnectionString))
        {
            await conn.ExecuteAsync("update organizations set roles = array['model_builder'] where id = @id", new { id = Guid.Parse(org.OrganizationId) });
        }

        await A.Services.GetRequiredService<TokenCacheFence>().WaitAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await onB.GetAsync("/v1/organizations?limit=1", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_scope_taken_from_a_token_counts_on_B_once_the_change_is_fenced()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存范围变更运营方", "operator");
        var token = await A.TokenAsync(org);
        using var onB = Bearer(B, token);
        await WarmAsync(B, onB, "/v1/organizations?limit=1");

        await using (var conn = new NpgsqlConnection(A.ConnectionString))
        {
            await conn.ExecuteAsync("update access_tokens set scopes = array_remove(scopes, 'admin') where token_sha256 = @hash",
                new { hash = Secrets.Sha256(token) });
        }

        await A.Services.GetRequiredService<TokenCacheFence>().WaitAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await onB.GetAsync("/v1/organizations?limit=1", Ct)).StatusCode);
        var me = await (await onB.GetAsync("/v1/organizations/me", Ct)).AssertJson();
        Assert.DoesNotContain("admin", me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_revocation_answers_only_when_every_live_listener_acknowledged_or_its_lease_ran_out()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存确认测试单位", "model_builder");
        var token = await A.TokenAsync(org);
        using var onB = Bearer(B, token);
        await WarmAsync(B, onB);

        // Hold the lease rows: no instance can acknowledge or renew, as if every other instance had stopped answering.
        await using var holder = new NpgsqlConnection(A.ConnectionString);
        await holder.OpenAsync(Ct);
        await using var hold = await holder.BeginTransactionAsync(Ct);
        await holder.ExecuteAsync("lock table token_cache_listeners in share mode", transaction: hold);

        await RevokeAsync(A, org, token);

        await using (var conn = new NpgsqlConnection(A.ConnectionString))
        {
            var unsafeListeners = await conn.ExecuteScalarAsync<long>("""
                select count(*) from token_cache_listeners l, token_cache_epoch e
                where l.acked_epoch < e.epoch and l.lease_expires_at > now()
                """);
            Assert.Equal(0, unsafeListeners);
        }

        Assert.False(CacheOf(B).Diagnostics.Usable);
        await (await onB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
        await hold.RollbackAsync(Ct);
        await Until(() => CacheOf(B).Diagnostics.Usable, "B renews its lease");
    }

    [Fact]
    public async Task An_instance_that_lost_its_listening_connection_bypasses_its_cache_until_it_listens_again()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存断线测试单位", "model_builder");
        var revoked = await A.TokenAsync(org);
        var other = await A.TokenAsync(org);
        using var revokedOnB = Bearer(B, revoked);
        using var otherOnB = Bearer(B, other);
        await WarmAsync(B, revokedOnB);
        await WarmAsync(B, otherOnB);
        var starts = CacheOf(B).Diagnostics.ListenStarts;

        // Keep B from registering again (its INSERT waits for this lock), then cut its listening connection.
        await using var holder = new NpgsqlConnection(A.ConnectionString);
        await holder.OpenAsync(Ct);
        await using var hold = await holder.BeginTransactionAsync(Ct);
        await holder.ExecuteAsync("lock table token_cache_listeners in share mode", transaction: hold);
        await using (var conn = new NpgsqlConnection(A.ConnectionString))
        {
            Assert.True(await conn.ExecuteScalarAsync<bool>(
                "select pg_terminate_backend(backend_pid) from token_cache_listeners where instance_id = @id", new { id = CacheOf(B).InstanceId }));
            await Until(() => !CacheOf(B).Diagnostics.Listening, "B notices that it stopped listening");
            Assert.Equal(0, CacheOf(B).Diagnostics.Entries);

            // Revoked behind the API's back while B cannot hear it: nobody waits, B must not have needed to hear it.
            await conn.ExecuteAsync("update access_tokens set revoked_at = now() where token_sha256 = @hash", new { hash = Secrets.Sha256(revoked) });
        }

        var before = CacheOf(B).Diagnostics;
        await (await revokedOnB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal(HttpStatusCode.OK, (await otherOnB.GetAsync("/v1/organizations/me", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherOnB.GetAsync("/v1/organizations/me", Ct)).StatusCode);
        var during = CacheOf(B).Diagnostics;
        Assert.False(during.Listening);
        Assert.Equal(before.Hits, during.Hits);
        Assert.Equal(0, during.Entries);
        Assert.True(during.Bypasses >= before.Bypasses + 3);

        await hold.RollbackAsync(Ct);
        await Until(() => CacheOf(B).Diagnostics.Usable, "B listens again");
        Assert.True(CacheOf(B).Diagnostics.ListenStarts > starts);
        await WarmAsync(B, otherOnB);
        await (await revokedOnB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_cached_token_still_expires_at_its_own_expiry()
    {
        await BothListening();
        var org = await A.OrganizationAsync("缓存过期测试单位", "model_builder");
        using var onB = Bearer(B, await A.TokenAsync(org));
        await WarmAsync(B, onB);

        B.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            var refused = await (await onB.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
            Assert.Contains("expired", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            B.Clock.Advance(-TimeSpan.FromHours(2));
        }
    }
}

public sealed class TokenCacheBoundTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _api = new DataSpaceApiFactory().WithSetting("TokenCache:MaxEntries", "2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Invalid_tokens_are_never_cached_and_valid_ones_only_up_to_the_bound()
    {
        var cache = _api.Services.GetRequiredService<TokenCache>();
        await TokenCacheTests.Until(() => cache.Diagnostics.Usable, "the token cache listens");

        var org = await _api.OrganizationAsync("缓存容量测试单位", "model_builder");
        var clients = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            clients.Add(await _api.ClientFor(org));
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var http in clients)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/organizations/me", Ct)).StatusCode);
            }
        }

        var full = cache.Diagnostics;
        Assert.Equal(2, full.Entries);
        Assert.True(full.Refused > 0);
        Assert.True(full.Hits > 0);

        using var stranger = _api.Anonymous();
        for (var i = 0; i < 300; i++)
        {
            stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "dst_" + Guid.NewGuid().ToString("N"));
            await (await stranger.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
        }

        var after = cache.Diagnostics;
        Assert.Equal(2, after.Entries);
        Assert.Equal(full.Refused, after.Refused); // not even tried: only tokens that validated are offered to the cache
        foreach (var http in clients)
        {
            http.Dispose();
        }
    }
}
