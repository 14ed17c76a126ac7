using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Rewards;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// GET /v1/reward-statistics: the bureau's chart of revenue and rewards by month and industry. It gives away no more than
/// the units allowed: revenue is counted only for units whose consent covers it, summed per industry and month (never per
/// unit or dataset), and every counted unit sees the read in its audit chain with the consent that allowed it.
/// </summary>
internal static class RewardStatisticsEndpoints
{
    public static IEndpointRouteBuilder MapRewardStatisticsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/reward-statistics", Read).WithTags("Rewards").WithName("GetRewardStatistics")
            .WithSummary("Revenue per Asia/Shanghai month and industry over the units whose consent covers their revenue, and the rewards of your approved runs per industry, in fen; from/to are months YYYY-MM (default the last twelve), at most 120 (data bureau)")
            .RequireAuthorization(Policies.RewardsBureau)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Ok<RewardStatistics>, ProblemHttpResult>> Read(
        HttpContext http, RewardStatisticsStore store, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? from = null, [FromQuery] string? to = null)
    {
        var v = new Validation();
        var (first, last) = Dates.ReadMonthSpan(from, to, clock, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var bureau = http.User.OrganizationId();
        var read = await store.ReadAsync(bureau, first, last, clock.GetUtcNow(), ct);
        // Each counted unit sees that the bureau read its revenue, and under which consent (Art. 11).
        var actor = AuditActor.From(http);
        await Task.WhenAll(read.ConsentByUnit.OrderBy(x => x.Key).Select(x => audit.AppendAsync(new AuditEntry(actor, x.Key, "revenue", x.Key.ToString(), "read",
            "consent", x.Value.ToString(), new { category = "revenue", statistics = "reward_statistics", from = first, to = last }), ct)));
        var revenue = read.Revenue.Select(r => new IndustryRevenue(r.Month, r.Industry, r.RevenueFen, r.Units)).ToList();
        var rewards = read.Rewards.Select(r => new IndustryReward(r.RunId.ToString(), r.PeriodFrom, r.PeriodTo, r.Industry, r.RewardFen, r.Datasets)).ToList();
        return TypedResults.Ok(new RewardStatistics(first, last, DataSpace.Usage.ReportingPeriods.TimeZoneId, read.ConsentByUnit.Count, revenue, rewards,
            revenue.Sum(r => r.RevenueFen), rewards.Sum(r => r.RewardFen)));
    }
}
