using System.Reflection;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Bench;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Authority;
using DataSpace.Api.Features.Catalog;
using DataSpace.Api.Features.Console;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Clients;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Downloads;
using DataSpace.Api.Features.Health;
using DataSpace.Api.Features.Integrity;
using DataSpace.Api.Features.Interop;
using DataSpace.Api.Features.Maintenance;
using DataSpace.Api.Features.Orders;
using DataSpace.Api.Features.Organizations;
using DataSpace.Api.Features.Previews;
using DataSpace.Api.Features.Profiles;
using DataSpace.Api.Features.Revenue;
using DataSpace.Api.Features.Rewards;
using DataSpace.Api.Features.Records;
using DataSpace.Api.Features.Exports;
using DataSpace.Api.Features.Terms;
using DataSpace.Api.Features.Tokens;
using DataSpace.Api.Features.Usage;
using DataSpace.Api.Features.Users;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Features.Webhooks;
using DataSpace.Api.Http;
using DataSpace.Api.OpenApi;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Api.Telemetry;
using DataSpace.Usage.Metering;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

var builder = WebApplication.CreateBuilder(args);

// Structured JSON logs; the hosting scope carries RequestId (= X-Request-Id) on every line of a request.
builder.Logging.ClearProviders();
builder.Logging.AddJsonConsole(o =>
{
    o.IncludeScopes = true;
    o.UseUtcTimestamp = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
});

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddDataSpaceTelemetry(builder.Configuration);
builder.Services.ConfigureHttpJsonOptions(o => Json.ConfigureRequests(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddDataSpaceProblems();
builder.Services.AddDataSpaceDatabase();
builder.Services.AddDataSpaceStorage();
builder.Services.AddHostedService<BlobStoreWarmup>();
builder.Services.AddDataSpaceAuthentication();
builder.Services.AddDataSpaceAuthorization();
builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();
builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<TokenCacheOptions>().BindConfiguration(TokenCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<TokenCache>();
builder.Services.AddSingleton<TokenCacheFence>();
builder.Services.AddHostedService<TokenCacheListener>();
builder.Services.AddSingleton<TokenStore>();
builder.Services.AddSingleton<OrganizationStore>();
builder.Services.AddSingleton<ClientStore>();
builder.Services.AddSingleton<DatasetStore>();
builder.Services.AddSingleton<VersionStore>();
builder.Services.AddSingleton<UsageLedger>();
builder.Services.AddSingleton<CatalogStore>();
builder.Services.AddSingleton<UsageReports>();
builder.Services.AddSingleton<UsagePartitions>();
builder.Services.AddSingleton<AuditChain>();
builder.Services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<CheckpointSigner>();
builder.Services.AddSingleton<DataSpace.Api.Features.Certificates.Sm2Signer>();
builder.Services.AddSingleton<DataSpace.Api.Features.Certificates.CertificateIssuer>();
builder.Services.AddOptions<DataSpace.Api.Features.Listings.ListingOptions>().BindConfiguration(DataSpace.Api.Features.Listings.ListingOptions.Section);
builder.Services.AddSingleton<DataSpace.Api.Features.Listings.ListingStore>();
builder.Services.AddSingleton<DataSpace.Api.Features.Listings.ListingGate>();
builder.Services.AddSingleton<AuditCheckpoints>();
// Loads the signing key at start, so a missing key stops the API at once; the build-time OpenAPI generator has none.
if (Assembly.GetEntryAssembly()?.GetName().Name != "GetDocument.Insider")
{
    builder.Services.AddHostedService<CheckpointService>();
}

builder.Services.AddSingleton<ConsentStore>();
builder.Services.AddSingleton<ConsentRequestStore>();
builder.Services.AddSingleton<ConsentGate>();
builder.Services.AddSingleton<TermsStore>();
builder.Services.AddSingleton<OrderStore>();
builder.Services.AddSingleton<RewardStore>();
builder.Services.AddSingleton<RecordStore>();
builder.Services.AddSingleton<PreviewStore>();
builder.Services.AddSingleton<ManifestAccess>();
builder.Services.AddSingleton<AccessStore>();
builder.Services.AddSingleton<AccessGate>();
builder.Services.AddSingleton<Holdings>();
builder.Services.AddOptions<RecordFileOptions>().BindConfiguration(RecordFileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<PaymentOptions>().BindConfiguration(PaymentOptions.Section);
builder.Services.AddOptions<ConsentOptions>().BindConfiguration(ConsentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHostedService<UsagePartitionMaintenance>();
builder.Services.AddOptions<ProfilingOptions>().BindConfiguration(ProfilingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ProfileStore>();
builder.Services.AddSingleton<ProfileSignal>();
builder.Services.AddHostedService<ProfileWorker>();
builder.Services.AddOptions<DatasetFileOptions>().BindConfiguration(DatasetFileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<MeteringRepair>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<MeteringRepair>());
builder.Services.AddOptions<PurgeOptions>().BindConfiguration(PurgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ExpiredRowPurge>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpiredRowPurge>());
builder.Services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<UploadSlots>();
builder.Services.AddOptions<IntegrityOptions>().BindConfiguration(IntegrityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<IntegrityStore>();
builder.Services.AddSingleton<ContentVerifier>();
builder.Services.AddSingleton<ContentScrub>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ContentScrub>());
builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<WebhookOutbox>();
builder.Services.AddSingleton<WebhookStore>();
builder.Services.AddHostedService<WebhookDispatcher>();
builder.Services.AddDataSpaceOpenApi();

// No Server header: it tells an attacker what to look up and tells a client nothing it needs.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();

app.UseRequestLogging();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseClientDisconnects();
app.UseStatusCodePages();
app.UseRequestIdAndLimits();
app.UseConsolePages();
app.UseAuthentication();
app.UseCsrfProtection();
app.UseAuthorization();
app.UseIdempotency();

app.MapOpenApi().AllowAnonymous();
app.MapDocsPage();
app.MapHealthEndpoints();
app.MapTokenEndpoints();
app.MapOrganizationEndpoints();
app.MapClientEndpoints();
app.MapUserEndpoints();
app.MapConsoleEndpoints();
app.MapConsoleTotpEndpoints();
app.MapDatasetEndpoints();
app.MapVersionEndpoints();
app.MapIntegrityEndpoints();
app.MapPreviewEndpoints();
app.MapDownloadEndpoints();
app.MapCatalogEndpoints();
app.MapUsageEndpoints();
app.MapConsentEndpoints();
app.MapConsentRequestEndpoints();
app.MapAuthorityEndpoints();
app.MapAuditEndpoints();
app.MapTermsEndpoints();
app.MapOrderEndpoints();
app.MapAccessEndpoints();
app.MapOdrlEndpoints();
app.MapRevenueEndpoints();
app.MapPaymentWebhook();
app.MapRewardEndpoints();
app.MapRecordEndpoints();
app.MapRecordPolicyEndpoints();
DataSpace.Api.Features.Listings.AssessmentEndpoints.MapAssessmentEndpoints(app);
DataSpace.Api.Features.Listings.ListingEndpoints.MapListingEndpoints(app);
DataSpace.Api.Features.Certificates.CertificateEndpoints.MapCertificateEndpoints(app);
DataSpace.Api.Features.Listings.ExchangeRegistrationEndpoints.MapExchangeRegistrationEndpoints(app);
app.MapExportEndpoints();
app.MapWebhookEndpoints();
app.MapCroissantEndpoints();
app.MapDcatEndpoints();
app.MapBenchEndpoints();

// The build-time OpenAPI generator runs this entry point without a database: skip start-up work there.
if (Assembly.GetEntryAssembly()?.GetName().Name != "GetDocument.Insider")
{
    // The signing keys load now, so that a missing key stops the API at start, not at the first certificate it issues.
    app.Services.GetRequiredService<DataSpace.Api.Features.Certificates.CertificateIssuer>();
    await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(app.Lifetime.ApplicationStopping);
}

await app.RunAsync();

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
