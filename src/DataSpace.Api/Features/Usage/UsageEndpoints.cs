using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Usage;
using DataSpace.Usage.Metering;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Usage;

internal static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Usage").RequireAuthorization(Policies.Catalog);
        group.MapGet("/datasets/{id}/usage", ForDataset).WithName("GetDatasetUsage")
            .WithSummary("Downloads, completed downloads, bytes and distinct consumers per day or month, Asia/Shanghai (owner)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/usage", ForConsumer).WithName("GetMyUsage")
            .WithSummary("Your organisation's own downloads per day or month and dataset, Asia/Shanghai")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapUsageExport();
        return app;
    }

    private static async Task<Results<Ok<DatasetUsageReport>, ProblemHttpResult>> ForDataset(
        string id, HttpContext http, DatasetAccess datasets, UsageReports reports, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? from = null, [FromQuery] string? to = null, [FromQuery] string? granularity = null)
    {
        var v = new Validation();
        var period = UsagePeriods.Read(from, to, granularity, clock, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var buckets = await reports.ForDatasetAsync(dataset.Id, dataset.OwnerId, period.From, period.To, period.Granularity, ct);
        return TypedResults.Ok(new DatasetUsageReport(dataset.Id.ToString(), period.From, period.To, period.Granularity, UsageReports.TimeZone,
            [.. buckets.Select(b => new Contracts.Usage.DatasetUsageBucket(b.Start, b.Downloads, b.CompletedDownloads, b.Bytes, b.Consumers))]));
    }

    private static async Task<Results<Ok<ConsumerUsageReport>, ProblemHttpResult>> ForConsumer(
        HttpContext http, UsageReports reports, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? from = null, [FromQuery] string? to = null, [FromQuery] string? granularity = null,
        [FromQuery(Name = "dataset_id")] string? datasetId = null)
    {
        var v = new Validation();
        var period = UsagePeriods.Read(from, to, granularity, clock, v);
        Guid? dataset = null;
        if (datasetId is not null)
        {
            if (Guid.TryParse(datasetId, out var d))
            {
                dataset = d;
            }
            else
            {
                v.Add("dataset_id", "is not a dataset id");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var buckets = await reports.ForConsumerAsync(http.User.OrganizationId(), dataset, period.From, period.To, period.Granularity, ct);
        return TypedResults.Ok(new ConsumerUsageReport(period.From, period.To, period.Granularity, UsageReports.TimeZone,
            [.. buckets.Select(b => new Contracts.Usage.ConsumerUsageBucket(b.Start, b.DatasetId.ToString(), b.Downloads, b.CompletedDownloads, b.Bytes))]));
    }
}
