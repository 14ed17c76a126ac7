namespace DataSpace.Api.Features.Bench;

/// <summary>The bench baselines, mapped only when <c>Bench:BareEndpoints</c> is true.</summary>
internal static class BenchFeature
{
    public static WebApplication MapBench(this WebApplication app) => app.MapBenchEndpoints();
}
