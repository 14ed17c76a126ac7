namespace DataSpace.Api.Features.Console;

/// <summary>The web console's sign-in, session, password and second-factor endpoints (its pages are served by <c>UseConsolePages</c>).</summary>
internal static class ConsoleFeature
{
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        app.MapConsoleEndpoints();
        app.MapConsoleTotpEndpoints();
        return app;
    }
}
