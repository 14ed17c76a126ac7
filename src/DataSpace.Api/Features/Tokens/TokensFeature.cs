namespace DataSpace.Api.Features.Tokens;

/// <summary>The OAuth 2.0 token endpoints (token, introspection, revocation, server metadata), added and mapped in one place.</summary>
internal static class TokensFeature
{
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        app.MapTokenEndpoints();
        return app;
    }
}
