using Dapper;
using Npgsql;

namespace DataSpace.Api.Features.Bench;

/// <summary>
/// Baselines for <c>./dataspace bench</c>: what bare Kestrel and one bare database round trip reach in this same process,
/// to set beside the API's own figures. Mapped only when <c>Bench:BareEndpoints</c> is true (the bench script sets
/// <c>Bench__BareEndpoints=true</c> and <c>Bench__Root</c>); otherwise the routes do not exist. Anonymous and left out of
/// the OpenAPI document: they are measuring instruments, not part of the API.
/// </summary>
internal static class BenchEndpoints
{
    public static WebApplication MapBenchEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue<bool>("Bench:BareEndpoints"))
        {
            return app;
        }

        var configuredRoot = app.Configuration["Bench:Root"];
        if (string.IsNullOrWhiteSpace(configuredRoot))
        {
            throw new InvalidOperationException("Bench:BareEndpoints is true: set Bench:Root to the folder whose files /bench/bare-file may serve.");
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(configuredRoot)) + Path.DirectorySeparatorChar;
        var group = app.MapGroup("/bench").AllowAnonymous().ExcludeFromDescription();

        // Kestrel's own file result: no database, no hashing, no metering. The baseline for downloads.
        group.MapGet("/bare-file", (string? path) =>
        {
            if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
            {
                return Results.BadRequest("path must be an absolute file path under Bench:Root");
            }

            var full = Path.GetFullPath(path);
            if (!full.StartsWith(root, StringComparison.Ordinal))
            {
                return Results.BadRequest("path is outside Bench:Root");
            }

            return File.Exists(full)
                ? Results.File(full, "application/octet-stream", enableRangeProcessing: true)
                : Results.NotFound();
        });

        // One pooled connection and one `select 1` round trip per request. The baseline for database-backed reads.
        group.MapGet("/select1", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var one = await conn.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: ct));
            return Results.Ok(one);
        });

        return app;
    }
}
