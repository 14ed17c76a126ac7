using Dapper;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Health;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace DataSpace.Api.Features.Health;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", () => TypedResults.Ok(new HealthReport(HealthStatuses.Live, new Dictionary<string, string>())))
            .WithName("GetLiveness").WithSummary("The process is up");
        group.MapGet("/ready", GetReadiness).WithName("GetReadiness")
            .WithSummary("PostgreSQL and the blob store answer")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>Readiness answers within this, whatever the dependencies do: a load balancer's probe must not hang.</summary>
    private static readonly TimeSpan ReadinessBudget = TimeSpan.FromSeconds(2);

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> GetReadiness(HttpContext http, NpgsqlDataSource db, IBlobStore blobs, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadinessBudget);
        var database = Check(async t =>
        {
            await using var conn = await db.OpenConnectionAsync(t);
            await conn.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: t));
        }, timeout.Token);
        var blobStore = Check(blobs.CheckAsync, timeout.Token);

        // A cancelled Npgsql command may still wait for its cancel request: stop waiting at the budget, not after it.
        try
        {
            await Task.WhenAll(database, blobStore).WaitAsync(ReadinessBudget, ct);
        }
        catch (TimeoutException)
        {
            // What has not answered by now counts as unavailable.
        }

        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["database"] = database.IsCompletedSuccessfully && database.Result ? "ok" : "unavailable",
            ["blob_store"] = blobStore.IsCompletedSuccessfully && blobStore.Result ? "ok" : "unavailable",
        };

        if (checks.Values.All(v => v == "ok"))
        {
            return TypedResults.Ok(new HealthReport(HealthStatuses.Ready, checks));
        }

        http.Response.Headers.RetryAfter = "5";
        return Problem.Of(StatusCodes.Status503ServiceUnavailable, ProblemCodes.NotReady, "Not ready",
            "A dependency is unavailable; see checks.", new Dictionary<string, object?> { ["checks"] = checks });
    }

    /// <summary>True when the probe succeeded; false when it failed the way an unavailable dependency fails.</summary>
    private static async Task<bool> Check(Func<CancellationToken, Task> probe, CancellationToken ct)
    {
        try
        {
            await probe(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or BlobStoreUnavailableException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }
}
