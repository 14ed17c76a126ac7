using Dapper;
using Npgsql;

namespace DataSpace.Api.Database;

/// <summary>
/// Applies the numbered migrations in order, each in its own transaction, under a PostgreSQL advisory lock
/// so that replicas starting together apply each one exactly once. An applied migration whose text changed
/// stops start-up: shipped migrations are history, fixes go into a new file. Run as the schema owner with an
/// <paramref name="applicationRole"/>, it then grants that role its rights (<see cref="ApplicationRole"/>).
/// </summary>
internal sealed partial class MigrationRunner(NpgsqlDataSource db, string? applicationRole, IReadOnlyList<Migration> migrations, TimeProvider clock, ILogger<MigrationRunner> logger)
{
    // An arbitrary constant that names "DataSpace schema migrations" among advisory locks.
    private const long LockKey = 0x44_53_4D_49_47_52_41_54; // "DSMIGRAT"

    private sealed record Applied(int Version, string Name, string Checksum);

    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct)
    {
        var appliedNow = new List<string>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                create table if not exists schema_migrations (
                    version integer primary key,
                    name text not null,
                    checksum text not null,
                    applied_at timestamptz not null
                )
                """, cancellationToken: ct));

            var applied = (await conn.QueryAsync<Applied>(new CommandDefinition(
                "select version, name, checksum from schema_migrations order by version", cancellationToken: ct)))
                .ToDictionary(a => a.Version);

            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var done))
                {
                    if (done.Checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Name} was edited after it was applied (applied as {done.Name}, checksum {done.Checksum}, now {migration.Checksum}). " +
                            "Restore the shipped text and put the change in a new migration.");
                    }

                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(ct);
                await conn.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(
                    "insert into schema_migrations (version, name, checksum, applied_at) values (@Version, @Name, @Checksum, @At)",
                    new { migration.Version, migration.Name, migration.Checksum, At = clock.GetUtcNow() }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                LogApplied(logger, migration.Name);
                appliedNow.Add(migration.Name);
            }

            if (applicationRole is not null)
            {
                await ApplicationRole.GrantAsync(conn, applicationRole, ct);
            }
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }

        return appliedNow;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string migration);
}
