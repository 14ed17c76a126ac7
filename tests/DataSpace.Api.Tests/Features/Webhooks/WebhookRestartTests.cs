namespace DataSpace.Api.Tests.Features.Webhooks;

/// <summary>
/// The outbox survives a host that stops — gracefully, or killed with SIGKILL as a separate process — in the middle of a
/// delivery: another host on the same database sends it again, with the same webhook-id.
/// </summary>
public sealed class WebhookRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DataSpaceApiFactory Loopback(DataSpaceApiFactory factory, bool dispatch) => factory
        .WithSetting("Webhooks:Enabled", dispatch ? "true" : "false")
        .WithSetting("Webhooks:AllowHttp", "true")
        .WithSetting("Webhooks:AllowPrivateNetworks", "true")
        .WithSetting("Webhooks:PollMilliseconds", "50")
        .WithSetting("Webhooks:Concurrency", "1");

    /// <summary>
    /// A unit with an endpoint at <paramref name="path"/> on <paramref name="receiver"/>, which never answers the first
    /// delivery it gets (its dispatcher is stopped or killed meanwhile), and <paramref name="grants"/> consents granted
    /// and the first revoked: the events queued, none sent yet (the writer does not dispatch).
    /// </summary>
    private static async Task<(HttpClient Unit, string Endpoint, string Secret, HashSet<string> Queued)> QueueEventsHoldingTheFirstAsync(
        DataSpaceApiFactory writer, WebhookReceiver receiver, string name, string path, int grants)
    {
        var held = 0;
        receiver.Answer = async (_, ct) =>
        {
            if (Interlocked.Increment(ref held) == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return 200;
        };

        var unitOrg = await writer.OrganizationAsync(name + "数源单位", "source_unit");
        var bureauOrg = await writer.OrganizationAsync(name + "数据局", "data_bureau");
        var unit = await writer.ClientFor(unitOrg);
        var (endpoint, secret) = await WebhookTests.RegisterAsync(unit, receiver.Url(path), "consent.granted", "consent.revoked");
        var consents = new List<string>();
        for (var i = 0; i < grants; i++)
        {
            consents.Add(await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"])));
        }

        await (await unit.PostAsJsonAsync($"/v1/consents/{consents[0]}/revoke", new { reason = name + "测试" }, Ct)).AssertJson();
        var queued = (await WebhookTests.DeliveriesAsync(unit, endpoint)).EnumerateArray().Select(d => d.GetProperty("event_id").GetString()!).ToHashSet();
        return (unit, endpoint, secret, queued);
    }

    [Fact]
    public async Task A_host_stopped_mid_delivery_loses_no_event_and_the_next_host_delivers_each_with_its_stable_id()
    {
        // The writer serves the API and queues events but dispatches nothing; it owns the database.
        await using var writer = Loopback(new DataSpaceApiFactory(), dispatch: false);
        await writer.InitializeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (unit, endpoint, secret, queued) = await QueueEventsHoldingTheFirstAsync(writer, receiver, "重启", "/restart", grants: 3);
        using var disposeUnit = unit;
        Assert.Equal(4, queued.Count);

        var first = Loopback(new DataSpaceApiFactory().SharingStateOf(writer), dispatch: true);
        await first.InitializeAsync();
        var inFlight = Assert.Single(await receiver.WaitForAsync(_ => true));
        await first.DisposeAsync(); // stops while the delivery waits for its answer

        var stillPending = (await WebhookTests.DeliveriesAsync(unit, endpoint)).EnumerateArray().Single(d => d.GetProperty("event_id").GetString() == inFlight.Id);
        Assert.Equal("pending", stillPending.GetProperty("status").GetString());

        await using var second = Loopback(new DataSpaceApiFactory().SharingStateOf(writer), dispatch: true);
        await second.InitializeAsync();
        var log = await WebhookTests.LogUntilAsync(unit, endpoint, d => d.GetProperty("status").GetString() == "delivered", 4);
        Assert.All(log.EnumerateArray(), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));

        var received = receiver.All;
        Assert.Equal(queued, received.Select(r => r.Id).ToHashSet());
        Assert.Equal(2, received.Count(r => r.Id == inFlight.Id)); // at least once: the interrupted one came again, same id
        var verified = await WebhookReceiver.VerifyAllAsync(received.Select(r => (r, secret)), Ct);
        Assert.Equal(received.Count, verified.Count);
    }

    [Fact]
    public async Task An_api_process_killed_mid_delivery_loses_no_event_and_a_new_process_delivers_each_at_least_once_with_its_stable_id()
    {
        // The writer serves the API and queues events but dispatches nothing; it owns the database.
        await using var writer = Loopback(new DataSpaceApiFactory(), dispatch: false);
        await writer.InitializeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (unit, endpoint, secret, queued) = await QueueEventsHoldingTheFirstAsync(writer, receiver, "强杀", "/killed", grants: 4);
        using var disposeUnit = unit;
        Assert.Equal(5, queued.Count);

        // Two workers: one holds the first delivery open, the other goes on with the batch until the kill.
        var dispatching = new Dictionary<string, string> { ["Webhooks:Enabled"] = "true", ["Webhooks:Concurrency"] = "2" };
        var first = await ApiProcess.StartAsync(writer, dispatching);
        try
        {
            var inFlight = (await receiver.WaitForAsync(_ => true))[0];
            await first.KillAsync(); // SIGKILL while the first delivery waits for its answer

            Assert.Equal("pending", (await WebhookTests.DeliveriesAsync(unit, endpoint)).EnumerateArray().Single(d => d.GetProperty("event_id").GetString() == inFlight.Id).GetProperty("status").GetString());

            await using var second = await ApiProcess.StartAsync(writer, dispatching);
            var log = await WebhookTests.LogUntilAsync(unit, endpoint, d => d.GetProperty("status").GetString() == "delivered", queued.Count);
            Assert.All(log.EnumerateArray(), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));

            var received = receiver.All;
            Assert.Equal(queued, received.Select(r => r.Id).ToHashSet()); // each at least once, nothing else
            Assert.True(received.Count(r => r.Id == inFlight.Id) >= 2, "the interrupted delivery came again, with the same webhook-id");
            Assert.All(received.GroupBy(r => r.Id), g => Assert.Single(g.Select(r => Convert.ToBase64String(r.Body)).Distinct())); // a duplicate is the same message
            var verified = await WebhookReceiver.VerifyAllAsync(received.Select(r => (r, secret)), Ct);
            Assert.Equal(received.Count, verified.Count);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
