using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Records;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Records;

namespace DataSpace.Api.Features.Listings;

/// <summary>
/// A dataset's registrations on other exchanges (exchange, certificate number, type, date), as data assets keep theirs:
/// the owner adds them; whoever sees the dataset reads them.
/// </summary>
internal static class ExchangeRegistrationEndpoints
{
    public static IEndpointRouteBuilder MapExchangeRegistrationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datasets/{id}/exchange-registrations").WithTags("Listings").RequireAuthorization(Policies.Catalog);
        group.MapPost("/", AddAsync).WithName("AddDatasetExchangeRegistration")
            .WithSummary("Record the dataset's registration on another exchange: initial (首次), change (变更) or cancellation (注销) (owner)")
            .RequireAuthorization(Policies.Publisher)
            .Produces<ExchangeRegistration>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListAsync).WithName("ListDatasetExchangeRegistrations")
            .WithSummary("The dataset's registrations on other exchanges, oldest first (whoever sees the dataset)")
            .Produces<IReadOnlyList<ExchangeRegistration>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> AddAsync(string id, AddRegistrationRequest request, HttpContext http, DatasetAccess datasets, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        if (DataAssetKind.ValidateRegistration(request, clock, v) is not { } r)
        {
            return v.ToProblem();
        }

        await store.AddRegistrationAsync(dataset.Id, dataset.OwnerId, new ListingStore.RegistrationRow(Guid.Parse(r.Id), r.Exchange, r.CertificateNumber, r.Type, r.RegisteredOn),
            clock.GetUtcNow(), AuditActor.From(http), ct);
        http.Response.Headers.Location = $"/v1/datasets/{dataset.Id}/exchange-registrations";
        return TypedResults.Json(r, Http.Json.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext http, DatasetAccess datasets, ListingStore store, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        return dataset is null ? problem!
            : TypedResults.Ok((await store.RegistrationsAsync(dataset.Id, ct)).Select(r => new ExchangeRegistration(r.Id.ToString(), r.Exchange, r.CertificateNumber, r.Type, r.RegisteredOn)).ToList());
    }
}
