using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Tests.Features.Webhooks;

/// <summary>The production defaults: https only, and no loopback, private or link-local targets — by URL and after DNS.</summary>
public sealed class WebhookGuardTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://hooks.example.com/x")]
    [InlineData("https://127.0.0.1/x")]
    [InlineData("https://localhost/x")]
    [InlineData("https://api.localhost/x")]
    [InlineData("https://[::1]/x")]
    [InlineData("https://[::ffff:127.0.0.1]/x")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://10.1.2.3/x")]
    [InlineData("https://192.168.1.10/x")]
    [InlineData("https://172.20.0.5/x")]
    [InlineData("https://100.64.0.1/x")]
    [InlineData("https://[fd00::1]/x")]
    [InlineData("https://[fe80::1]/x")]
    [InlineData("https://user:pass@hooks.example.com/x")]
    public async Task An_endpoint_that_is_not_https_on_a_public_address_is_refused_by_default(string url)
    {
        using var org = await api.ClientFor(await api.OrganizationAsync("守卫单位 " + Guid.NewGuid().ToString("N")[..6], "model_builder"));
        var problem = await (await org.PostAsJsonAsync("/v1/webhook-endpoints", new { url, events = new[] { "order.paid" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
        Assert.Empty((await (await org.GetAsync("/v1/webhook-endpoints", Ct)).AssertJson()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_token_without_the_webhooks_scope_gets_403_insufficient_scope_on_every_endpoint_route_and_changes_nothing()
    {
        var org = await api.OrganizationAsync("无 webhooks 范围单位 " + Guid.NewGuid().ToString("N")[..6], "source_unit");
        using var manager = await api.ClientFor(org, "webhooks");
        var created = await (await manager.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/dataspace", events = new[] { "order.paid" } }, Ct))
            .AssertJson(HttpStatusCode.Created);
        var endpoint = created.GetProperty("endpoint").GetProperty("id").GetString()!;

        // A download job's token (catalog, and everything else but webhooks) cannot register, read, disable, rotate or redeliver.
        using var catalogOnly = await api.ClientFor(org, "catalog publish consents rewards records audit");
        HttpResponseMessage[] refused =
        [
            await catalogOnly.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://attacker.example.com/x", events = new[] { "order.paid" } }, Ct),
            await catalogOnly.GetAsync("/v1/webhook-endpoints", Ct),
            await catalogOnly.GetAsync($"/v1/webhook-endpoints/{endpoint}", Ct),
            await catalogOnly.DeleteAsync($"/v1/webhook-endpoints/{endpoint}", Ct),
            await catalogOnly.PostAsync($"/v1/webhook-endpoints/{endpoint}/rotate-secret", null, Ct),
            await catalogOnly.GetAsync($"/v1/webhook-endpoints/{endpoint}/deliveries", Ct),
            await catalogOnly.PostAsync($"/v1/webhook-endpoints/{endpoint}/deliveries/{Guid.NewGuid()}/redeliver", null, Ct),
        ];
        foreach (var response in refused)
        {
            await response.AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
            Assert.Contains("scope=\"webhooks\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        // The list of event types is catalog knowledge; the endpoint is as it was, and the only one.
        Assert.Equal(HttpStatusCode.OK, (await catalogOnly.GetAsync("/v1/webhook-event-types", Ct)).StatusCode);
        var list = (await (await manager.GetAsync("/v1/webhook-endpoints", Ct)).AssertJson()).GetProperty("items");
        var only = Assert.Single(list.EnumerateArray());
        Assert.Equal(endpoint, only.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, only.GetProperty("disabled_at").ValueKind);
    }

    [Fact]
    public void Backoff_doubles_from_the_first_delay_up_to_the_cap()
    {
        var o = new WebhookOptions { FirstBackoffSeconds = 10, MaxBackoffSeconds = 3600 };
        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600],
            Enumerable.Range(1, 11).Select(n => (int)o.BackoffAfter(n).TotalSeconds));
    }
}

/// <summary>http allowed (as in development) but private addresses not: the name is checked after it resolves.</summary>
public sealed class HttpButNoPrivateNetworks() : IAsyncLifetime
{
    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory()
        .WithSetting("Webhooks:AllowHttp", "true")
        .WithSetting("Webhooks:PollMilliseconds", "50")
        .WithSetting("Webhooks:MaxAttempts", "1");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed class WebhookResolvedAddressTests(HttpButNoPrivateNetworks fixture) : IClassFixture<HttpButNoPrivateNetworks>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_name_that_resolves_to_loopback_passes_registration_but_nothing_is_sent_to_it()
    {
        // The machine's own name passes the URL check (it is no address literal) yet resolves to this machine (127.0.0.1 among others).
        var host = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(host, Ct);
        if (addresses.Length == 0 || addresses.Any(SafeEndpointHttp.IsPublic))
        {
            Assert.Skip($"'{host}' does not resolve to non-public addresses only here ({string.Join(", ", addresses.Select(a => a.ToString()))}).");
        }

        var api = fixture.Api;
        await using var receiver = await WebhookReceiver.StartAsync();
        var bound = receiver.Url("/");
        var url = new UriBuilder(bound) { Host = host, Path = "/ssrf" }.Uri;
        var unitOrg = await api.OrganizationAsync("解析守卫单位", "source_unit");
        var bureauOrg = await api.OrganizationAsync("解析守卫数据局", "data_bureau");
        using var unit = await api.ClientFor(unitOrg);
        var (endpoint, _) = await WebhookTests.RegisterAsync(unit, url, "consent.granted");

        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));

        var log = await WebhookTests.LogUntilAsync(unit, endpoint, d => d.GetProperty("status").GetString() == "failed");
        var delivery = Assert.Single(log.EnumerateArray());
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        var attempt = Assert.Single(delivery.GetProperty("log").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status_code").ValueKind);
        Assert.Contains("loopback, private or link-local", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.All);
    }
}
