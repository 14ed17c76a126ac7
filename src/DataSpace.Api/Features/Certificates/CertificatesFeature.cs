namespace DataSpace.Api.Features.Certificates;

/// <summary>Signed listing certificates and their public verification, added and mapped in one place.</summary>
internal static class CertificatesFeature
{
    public static IServiceCollection AddCertificates(this IServiceCollection services)
    {
        services.AddSingleton<Sm2Signer>();
        services.AddSingleton<CertificateIssuer>();
        return services;
    }

    public static IEndpointRouteBuilder MapCertificates(this IEndpointRouteBuilder app)
    {
        app.MapCertificateEndpoints();
        return app;
    }

    /// <summary>Loads the signing keys now, so that a missing key stops the API at start, not at the first certificate it issues.</summary>
    public static void LoadCertificateKeys(this IServiceProvider services) => services.GetRequiredService<CertificateIssuer>();
}
