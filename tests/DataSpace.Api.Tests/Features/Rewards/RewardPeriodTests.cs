using Dapper;

namespace DataSpace.Api.Tests.Features.Rewards;

/// <summary>
/// A run's revenue and paying consumers over periods that cut years, months and Asia/Shanghai days at their edges, as
/// the running totals beside the ledger give them, equal to the ledger itself — refunds included.
/// </summary>
public sealed class RewardPeriodTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>Every order's price, in fen.</summary>
    private const long Price = 1_000_003;

    /// <summary>Runs the instant the API's clock shows <paramref name="at"/>.</summary>
    private async Task<T> AtAsync<T>(DateTimeOffset at, Func<Task<T>> action)
    {
        api.Clock.Freeze(at);
        try
        {
            return await action();
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    private async Task<string> PayAsync(Credentials buyerOrg, string dataset, string plan, int terms, DateTimeOffset at) => await AtAsync(at, async () =>
    {
        using var buyer = await api.ClientFor(buyerOrg);
        using var op = await api.OperatorClient();
        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = Price, reference = "EDGE-" + order }, Ct)).AssertJson();
        return order;
    });

    [Fact]
    public async Task Revenue_and_paying_consumers_are_exact_at_day_month_and_year_edges()
    {
        var bureauOrg = await api.OrganizationAsync("期间边界数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var unitOrg = await api.OrganizationAsync("期间边界数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var first = await api.OrganizationAsync("期间边界买家甲", "model_builder");
        var second = await api.OrganizationAsync("期间边界买家乙", "model_builder");
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"], null, DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(3)));
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "期间边界", cap_scope = "per_period", dataset_cap_fen = 1_000_000_000, unit_cap_fen = 1_000_000_000,
            min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();

        var (dataset, terms, plan) = await AtAsync(new DateTimeOffset(2025, 12, 1, 9, 0, 0, Shanghai), async () =>
        {
            using var unitThen = await api.ClientFor(unitOrg);
            var d = await DatasetFlow.PublishedAsync(unitThen, new Dictionary<string, byte[]> { ["边界.jsonl"] = "{\"text\":\"边界\"}\n"u8.ToArray() }, "paid");
            var (t, p) = await OrderFlow.OfferAsync(unitThen, d, Price, terms: "仅限训练。");
            return (d, t, p);
        });

        // The last second of 2025 and the first of 2026 in Shanghai (both 2025-12-31 in UTC); the last second of February.
        await PayAsync(first, dataset, plan, terms, new DateTimeOffset(2025, 12, 31, 23, 59, 59, Shanghai));
        await PayAsync(second, dataset, plan, terms, new DateTimeOffset(2026, 1, 1, 0, 0, 0, Shanghai));
        var refunded = await PayAsync(first, dataset, plan, terms, new DateTimeOffset(2026, 2, 28, 23, 59, 59, Shanghai));
        await AtAsync(new DateTimeOffset(2026, 3, 1, 10, 0, 0, Shanghai), async () =>
        {
            using var op = await api.OperatorClient();
            return await (await op.PostAsync($"/v1/orders/{refunded}/refund", null, Ct)).AssertJson();
        });

        // period → (revenue in fen, paying consumers): the refund is −Price on 1 March, and its order no longer counts
        // its buyer in February, where it was paid.
        (string From, string To, long Revenue, long Consumers)[] expected =
        [
            ("2025-12-31", "2025-12-31", Price, 1),
            ("2026-01-01", "2026-01-01", Price, 1),
            ("2025-12-31", "2026-01-01", 2 * Price, 2),
            ("2025-12-01", "2026-02-28", 3 * Price, 2),
            ("2026-02-01", "2026-02-28", Price, 0),
            ("2026-02-28", "2026-03-01", 0, 0),
            ("2026-03-01", "2026-03-31", -Price, 0),
            ("2026-01-01", "2026-12-31", Price, 1),
            ("2025-01-01", "2026-12-31", 2 * Price, 2),
            ("2025-11-15", "2027-01-31", 2 * Price, 2),
        ];
        foreach (var (from, to, revenue, consumers) in expected)
        {
            using var response = await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = from, period_to = to }, Ct);
            var run = await response.AssertJson(HttpStatusCode.Created);
            // The run says where its time went (W3C Server-Timing), for the bureau's tools and the bench.
            Assert.Matches("^gather;dur=[0-9.]+, compute;dur=[0-9.]+, store;dur=[0-9.]+$", string.Join(", ", response.Headers.GetValues("Server-Timing")));
            var line = Assert.Single(await RewardFlow.LinesAsync(bureau, run.GetProperty("id").GetString()!), l => l.GetProperty("dataset_id").GetString() == dataset);
            Assert.True(revenue == line.GetProperty("revenue_fen").GetInt64(), $"revenue {from} … {to}: {line.GetProperty("revenue_fen").GetInt64()}, expected {revenue}");
            var paying = line.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("criterion").GetString() == "paying_consumers");
            Assert.True(consumers == paying.GetProperty("evidence").GetInt64(), $"paying consumers {from} … {to}: {paying.GetProperty("evidence").GetInt64()}, expected {consumers}");
        }

        // Every running total in this database is its ledger's or its orders' own sum, at every grain.
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("""
            select count(*) from (
                select grain, starts, dataset_id, amount_fen from revenue_rollups
                except
                select g.grain, g.starts, r.dataset_id, sum(r.amount_fen)::bigint from revenue_entries r cross join lateral shanghai_grains(r.occurred_at) g
                group by 1, 2, 3) mismatched
            """));
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("""
            select count(*) from (
                (select grain, starts, dataset_id, buyer_id, paid_orders from order_buyer_rollups where paid_orders > 0
                 except
                 select g.grain, g.starts, o.dataset_id, o.buyer_id, count(*)::integer from orders o cross join lateral shanghai_grains(o.paid_at) g
                 where o.status = 'paid' group by 1, 2, 3, 4)
                union all
                (select g.grain, g.starts, o.dataset_id, o.buyer_id, count(*)::integer from orders o cross join lateral shanghai_grains(o.paid_at) g
                 where o.status = 'paid' group by 1, 2, 3, 4
                 except
                 select grain, starts, dataset_id, buyer_id, paid_orders from order_buyer_rollups where paid_orders > 0)) mismatched
            """));
    }
}
