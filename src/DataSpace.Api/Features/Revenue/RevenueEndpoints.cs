using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Orders;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace DataSpace.Api.Features.Revenue;

internal static class RevenueEndpoints
{
    public static IEndpointRouteBuilder MapRevenueEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/revenue", Report).WithTags("Revenue").WithName("GetRevenue")
            .WithSummary("Your datasets' revenue per Asia/Shanghai month: payments, refunds and net, in fen (source units)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private sealed record Row(DateOnly Month, Guid DatasetId, long PaymentsFen, long RefundsFen);

    private static async Task<Results<Ok<RevenueReport>, ProblemHttpResult>> Report(
        HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, [FromQuery] string? from = null, [FromQuery] string? to = null)
    {
        var v = new Validation();
        var (first, last) = Dates.ReadMonthSpan(from, to, clock, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            select period_month as month, dataset_id,
                   coalesce(sum(amount_fen) filter (where kind = 'payment'), 0)::bigint as payments_fen,
                   coalesce(sum(amount_fen) filter (where kind = 'refund'), 0)::bigint as refunds_fen
            from revenue_entries
            where unit_id = @unit and period_month between @first and @last
            group by 1, 2 order by 1, 2
            """, new { unit = http.User.OrganizationId(), first, last }, cancellationToken: ct))).AsList();
        var lines = rows.Select(r => new RevenueLine(r.Month, r.DatasetId.ToString(), r.PaymentsFen, r.RefundsFen, r.PaymentsFen + r.RefundsFen)).ToList();
        return TypedResults.Ok(new RevenueReport(first, last, lines, lines.Sum(l => l.NetFen)));
    }
}
