namespace DataSpace.Api.Features.Clients;

/// <summary>API clients of an organisation, added and mapped in one place.</summary>
internal static class ClientsFeature
{
    public static IServiceCollection AddClients(this IServiceCollection services)
    {
        services.AddSingleton<ClientStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapClients(this IEndpointRouteBuilder app)
    {
        app.MapClientEndpoints();
        return app;
    }
}
