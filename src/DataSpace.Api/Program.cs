using System.Reflection;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Authority;
using DataSpace.Api.Features.Bench;
using DataSpace.Api.Features.Catalog;
using DataSpace.Api.Features.Certificates;
using DataSpace.Api.Features.Clients;
using DataSpace.Api.Features.Console;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Downloads;
using DataSpace.Api.Features.Exports;
using DataSpace.Api.Features.Health;
using DataSpace.Api.Features.Integrity;
using DataSpace.Api.Features.Interop;
using DataSpace.Api.Features.Listings;
using DataSpace.Api.Features.Maintenance;
using DataSpace.Api.Features.Orders;
using DataSpace.Api.Features.Organizations;
using DataSpace.Api.Features.Previews;
using DataSpace.Api.Features.Profiles;
using DataSpace.Api.Features.Records;
using DataSpace.Api.Features.Revenue;
using DataSpace.Api.Features.Rewards;
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
builder.Services.AddDataSpaceAuthentication();
builder.Services.AddDataSpaceAuthorization();
builder.Services.AddUploadSlots();

// One line per feature. Hosted services start in registration order: the audit checkpoints (which load the signing
// key, so a missing key stops the API first) before the background loops of usage, profiles, downloads, maintenance,
// integrity and webhooks.
builder.Services.AddTokens();
builder.Services.AddOrganizations();
builder.Services.AddClients();
builder.Services.AddDatasets();
builder.Services.AddVersions();
builder.Services.AddCatalog();
builder.Services.AddAudit();
builder.Services.AddCertificates();
builder.Services.AddListings();
builder.Services.AddConsents();
builder.Services.AddTerms();
builder.Services.AddOrders();
builder.Services.AddRewards();
builder.Services.AddRecords();
builder.Services.AddPreviews();
builder.Services.AddAccess();
builder.Services.AddUsage();
builder.Services.AddProfiles();
builder.Services.AddDownloads();
builder.Services.AddMaintenance();
builder.Services.AddIntegrity();
builder.Services.AddWebhooks();

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

// One line per feature, in the order the committed OpenAPI document lists their operations (it follows mapping order).
app.MapHealth();
app.MapTokens();
app.MapOrganizations();
app.MapClients();
app.MapUsers();
app.MapConsole();
app.MapDatasets();
app.MapVersions();
app.MapIntegrity();
app.MapPreviews();
app.MapDownloads();
app.MapCatalog();
app.MapUsage();
app.MapConsents();
app.MapAuthority();
app.MapAudit();
app.MapTerms();
app.MapOrders();
app.MapAccess();
app.MapRevenue();
app.MapPaymentWebhooks();
app.MapRewards();
app.MapRecords();
app.MapListings();
app.MapCertificates();
app.MapExchangeRegistrations();
app.MapExports();
app.MapWebhooks();
app.MapInterop();
app.MapBench();

// The build-time OpenAPI generator runs this entry point without a database: skip start-up work there.
if (Assembly.GetEntryAssembly()?.GetName().Name != "GetDocument.Insider")
{
    app.Services.LoadCertificateKeys();
    await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(app.Lifetime.ApplicationStopping);
}

await app.RunAsync();

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
