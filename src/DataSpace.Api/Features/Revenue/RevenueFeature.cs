namespace DataSpace.Api.Features.Revenue;

/// <summary>The revenue ledger report.</summary>
internal static class RevenueFeature
{
    public static IEndpointRouteBuilder MapRevenue(this IEndpointRouteBuilder app)
    {
        app.MapRevenueEndpoints();
        return app;
    }
}
