namespace DataSpace.Api.Features.Organizations;

/// <summary>Organisations and their roles, added and mapped in one place.</summary>
internal static class OrganizationsFeature
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddSingleton<OrganizationStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder app)
    {
        app.MapOrganizationEndpoints();
        return app;
    }
}
