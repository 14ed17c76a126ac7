using System.Security.Cryptography;
using System.Text;
using Dapper;
using DataSpace.Api.Features.Maintenance;
using DataSpace.Api.Tests.Features.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace DataSpace.Api.Tests.Features.Maintenance;

/// <summary>The purge, run once through the host's own service after the test clock moved past every retention.</summary>
public sealed class ExpiredRowPurgeTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> Count(string sql, object? args = null)
    {
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    private static byte[] Hash(HttpClient client) => SHA256.HashData(Encoding.ASCII.GetBytes(client.DefaultRequestHeaders.Authorization!.Parameter!));

    [Fact]
    public async Task Expired_tokens_old_idempotency_keys_and_old_webhook_deliveries_are_deleted_and_nothing_current()
    {
        using var seller = await api.ClientFor(await api.OrganizationAsync("清理卖家", "source_unit"));
        var buyerCredentials = await api.OrganizationAsync("清理买家", "model_builder");
        using var buyer = await api.ClientFor(buyerCredentials);
        var dataset = await DatasetFlow.PublishedAsync(seller, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(seller, dataset, 10_000, terms: "条款");
        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        using var anonymous = api.Anonymous();
        await (await anonymous.SendAsync(PaymentWebhookTests.Delivery(PaymentWebhookTests.Body(order, 10_000, "PURGE-" + order), DateTimeOffset.UtcNow), Ct)).AssertJson();
        var oldToken = Hash(buyer);
        var org = Guid.Parse(buyerCredentials.OrganizationId);
        Assert.Equal(1, await Count("select count(*) from access_tokens where token_sha256 = @oldToken", new { oldToken }));
        Assert.True(await Count("select count(*) from idempotency_keys where organization_id = @org", new { org }) > 0);
        Assert.True(await Count("select count(*) from webhook_deliveries") > 0);

        api.Clock.Advance(TimeSpan.FromDays(30));
        using var fresh = await api.ClientFor(buyerCredentials);
        var purged = await api.Services.GetRequiredService<ExpiredRowPurge>().RunOnceAsync(Ct);

        Assert.True(purged.Tokens > 0 && purged.IdempotencyKeys > 0 && purged.WebhookDeliveries > 0, purged.ToString());
        Assert.Equal(0, await Count("select count(*) from access_tokens where token_sha256 = @oldToken", new { oldToken }));
        Assert.Equal(0, await Count("select count(*) from idempotency_keys where organization_id = @org", new { org }));
        Assert.Equal(0, await Count("select count(*) from webhook_deliveries"));
        // The token issued after the clock moved is current: kept, and it still works.
        Assert.Equal(1, await Count("select count(*) from access_tokens where token_sha256 = @t", new { t = Hash(fresh) }));
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync($"/v1/orders/{order}", Ct)).StatusCode);
        Assert.Equal(new PurgeResult(0, 0, 0), await api.Services.GetRequiredService<ExpiredRowPurge>().RunOnceAsync(Ct));
    }
}
