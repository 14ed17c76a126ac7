namespace DataSpace.Api.Features.Authority;

/// <summary>What an authority reads of a unit's data under its consent.</summary>
internal static class AuthorityFeature
{
    public static IEndpointRouteBuilder MapAuthority(this IEndpointRouteBuilder app)
    {
        app.MapAuthorityEndpoints();
        return app;
    }
}
