namespace DataSpace.Api.Features.Rewards;

/// <summary>Corpus-reward policies, runs and their exports, and the bureau's statistics, added and mapped in one place.</summary>
internal static class RewardsFeature
{
    public static IServiceCollection AddRewards(this IServiceCollection services)
    {
        services.AddSingleton<RewardStore>();
        services.AddSingleton<RewardStatisticsStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapRewards(this IEndpointRouteBuilder app)
    {
        app.MapRewardEndpoints();
        app.MapRewardStatisticsEndpoints();
        return app;
    }
}
