using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Catalog;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Usage;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Usage;
using DataSpace.Usage.Metering;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Authority;

/// <summary>
/// What the data bureau and authorities read about a unit — only through the unit's consent (Art. 11). Every read
/// goes through <see cref="ConsentGate"/> and is recorded in the audit chain with the consent that allowed it.
/// </summary>
internal static class AuthorityEndpoints
{
    public static IEndpointRouteBuilder MapAuthorityEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/authority/units/{unit}").WithTags("Authority").RequireAuthorization(Policies.ConsentGrantee);
        group.MapGet("/datasets", Datasets).WithName("AuthorityListUnitDatasets")
            .WithSummary("A unit's datasets, drafts and paid ones included, as far as its consent (category dataset_files) covers them")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/usage", Usage).WithName("AuthorityGetUnitUsage")
            .WithSummary("A unit's usage statistics per day or month and dataset, under its consent (category usage_statistics)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>The gate's decision for a read of the unit named in the route, or the problem to answer instead.</summary>
    private static async Task<(Guid Unit, ConsentGate.Decision? Decision, ProblemHttpResult? Problem)> GateAsync(
        string unit, string category, HttpContext http, ConsentGate gate, CancellationToken ct)
    {
        var decision = Guid.TryParse(unit, out var id) ? await gate.CheckUnitAsync(http.User, id, category, ct) : null;
        return decision switch
        {
            null => (id, null, Problem.NotFound(ProblemCodes.OrganizationNotFound, "Unit not found", $"No source unit has id '{unit}'.")),
            { Allowed.Count: 0 } => (id, null, decision.Problem(category)),
            _ => (id, decision, null),
        };
    }

    private static async Task<Results<Ok<Page<DatasetSummary>>, ProblemHttpResult>> Datasets(
        string unit, HttpContext http, ConsentGate gate, CatalogStore catalog, AuditChain audit, CancellationToken ct,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (unitId, decision, problem) = await GateAsync(unit, ConsentCategories.DatasetFiles, http, gate, ct);
        if (decision is null)
        {
            return problem!;
        }

        var rows = await catalog.ForUnitAsync(unitId, decision.CoveredDatasets()?.ToArray(), after, size + 1, ct);
        await AuditBasesAsync(http, audit, unitId, "datasets", ConsentCategories.DatasetFiles, decision, rows.Take(size).Select(r => r.Id), null, ct);
        return TypedResults.Ok(new Page<DatasetSummary>([.. rows.Take(size).Select(r => r.ToContract())], rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null));
    }

    /// <summary>
    /// Records a read of several datasets with the consent each was read under (one event per consent, naming its
    /// datasets), and names those consents in the response header; a read that returned nothing records the consent that
    /// allowed it.
    /// </summary>
    private static async Task AuditBasesAsync(
        HttpContext http, AuditChain audit, Guid unit, string objectType, string category, ConsentGate.Decision decision, IEnumerable<Guid> datasets, object? period, CancellationToken ct)
    {
        var bases = decision.BasesFor(datasets);
        if (bases.Count == 0)
        {
            bases = [(decision.MostSpecific(null)!, [])];
        }

        await Task.WhenAll(bases.Select(b => audit.AppendAsync(new AuditEntry(AuditActor.From(http), unit, objectType, unit.ToString(), "read", "consent", b.Consent.Id.ToString(),
            new { category, count = b.Datasets.Length, dataset_ids = b.Datasets, period }), ct)));
        http.Response.Headers[ConsentGate.ConsentHeader] = string.Join(", ", bases.Select(b => b.Consent.Id));
    }

    private static async Task<Results<Ok<UnitUsageReport>, ProblemHttpResult>> Usage(
        string unit, HttpContext http, ConsentGate gate, UsageReports reports, AuditChain audit, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? from = null, [FromQuery] string? to = null, [FromQuery] string? granularity = null)
    {
        var v = new Validation();
        var period = UsagePeriods.Read(from, to, granularity, clock, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (unitId, decision, problem) = await GateAsync(unit, ConsentCategories.UsageStatistics, http, gate, ct);
        if (decision is null)
        {
            return problem!;
        }

        var consent = decision.MostSpecific(null)!;
        var buckets = await reports.ForUnitAsync(unitId, decision.CoveredDatasets()?.ToArray(), period.From, period.To, period.Granularity, ct);
        await AuditBasesAsync(http, audit, unitId, "usage", ConsentCategories.UsageStatistics, decision, buckets.Select(b => b.DatasetId), new { from = period.From, to = period.To }, ct);
        return TypedResults.Ok(new UnitUsageReport(unitId.ToString(), consent.Id.ToString(), period.From, period.To, period.Granularity, UsageReports.TimeZone,
            [.. buckets.Select(b => new Contracts.Usage.UnitUsageBucket(b.Start, b.DatasetId.ToString(), b.Downloads, b.CompletedDownloads, b.Bytes, b.Consumers))]));
    }
}
