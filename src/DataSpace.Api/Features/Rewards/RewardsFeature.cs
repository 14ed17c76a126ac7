namespace DataSpace.Api.Features.Rewards;

/// <summary>Corpus-reward policies, runs and their exports, added and mapped in one place.</summary>
internal static class RewardsFeature
{
    public static IServiceCollection AddRewards(this IServiceCollection services)
    {
        services.AddSingleton<RewardStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapRewards(this IEndpointRouteBuilder app)
    {
        app.MapRewardEndpoints();
        return app;
    }
}
