namespace DataSpace.Api.Features.Console;

/// <summary>The web console's sign-in, session and password endpoints (its pages are served by <c>UseConsolePages</c>).</summary>
internal static class ConsoleFeature
{
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        app.MapConsoleEndpoints();
        return app;
    }
}
