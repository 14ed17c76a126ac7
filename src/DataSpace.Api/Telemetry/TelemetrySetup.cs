using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataSpace.Api.Telemetry;

/// <summary>
/// OpenTelemetry as the .NET ecosystem expects it (dotnet/eShop's service defaults): traces of ASP.NET Core requests,
/// outgoing HTTP (webhooks) and Npgsql commands, metrics of ASP.NET Core, the runtime's HTTP client and
/// <see cref="DomainMetrics"/>, exported over OTLP. Off unless an endpoint is configured: the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable or <c>Telemetry:OtlpEndpoint</c>. Every trace id is the
/// problem's <c>trace_id</c> and the logs' TraceId, so a reported error leads to its trace.
/// </summary>
internal static class TelemetrySetup
{
    public static IServiceCollection AddDataSpaceTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DomainMetrics>();
        var configured = configuration["Telemetry:OtlpEndpoint"];
        var endpoint = configured ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return services;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Telemetry:OtlpEndpoint must be an absolute http(s) URL; it is '{endpoint}'.");
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "dataspace-api"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddSource("Npgsql")
                .AddOtlpExporter(o => Point(o, configured, otlp)))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(DomainMetrics.MeterName, "Npgsql")
                .AddOtlpExporter(o => Point(o, configured, otlp)));
        return services;
    }

    /// <summary>The exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself; a configured endpoint overrides them (gRPC).</summary>
    private static void Point(OpenTelemetry.Exporter.OtlpExporterOptions options, string? configured, Uri endpoint)
    {
        if (configured is not null)
        {
            options.Endpoint = endpoint;
        }
    }
}
