namespace DataSpace.Api.Features.Users;

/// <summary>
/// The console's users. Their store is registered with the authentication (<c>AddDataSpaceAuthentication</c>), whose
/// cookie sessions validate against it.
/// </summary>
internal static class UsersFeature
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapUserEndpoints();
        return app;
    }
}
