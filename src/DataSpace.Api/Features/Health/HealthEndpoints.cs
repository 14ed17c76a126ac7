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
        group.MapGet("/live", () => TypedResults.Ok(new HealthReport("live", new Dictionary<string, string>())))
            .WithName("GetLiveness").WithSummary("The process is up");
        group.MapGet("/ready", GetReadiness).WithName("GetReadiness")
            .WithSummary("PostgreSQL and the blob store answer")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> GetReadiness(HttpContext http, NpgsqlDataSource db, IBlobStore blobs, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var conn = await db.OpenConnectionAsync(timeout.Token);
            await conn.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: timeout.Token));
            checks["database"] = "ok";
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            checks["database"] = "unavailable";
        }

        try
        {
            await blobs.CheckAsync(timeout.Token);
            checks["blob_store"] = "ok";
        }
        catch (Exception e) when (e is BlobStoreUnavailableException or OperationCanceledException)
        {
            checks["blob_store"] = "unavailable";
        }

        if (checks.Values.All(v => v == "ok"))
        {
            return TypedResults.Ok(new HealthReport("ready", checks));
        }

        http.Response.Headers.RetryAfter = "5";
        return Problem.Of(StatusCodes.Status503ServiceUnavailable, ProblemCodes.NotReady, "Not ready",
            "A dependency is unavailable; see checks.", new Dictionary<string, object?> { ["checks"] = checks });
    }
}
