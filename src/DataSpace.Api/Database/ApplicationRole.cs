using Dapper;
using Npgsql;

namespace DataSpace.Api.Database;

/// <summary>
/// The rights of the role the API runs as, granted by the schema owner after every migration run: reading and
/// writing data, never DDL, and only INSERT (and SELECT) on what the design keeps append-only. Triggers refuse
/// changes to those tables too; without UPDATE and DELETE a compromised API host cannot even try.
/// </summary>
internal static class ApplicationRole
{
    /// <summary>Tables whose rows are never changed or removed once written.</summary>
    public static readonly IReadOnlyList<string> AppendOnlyTables = ["audit_events", "audit_checkpoints", "revenue_entries", "reward_run_lines", "reward_run_units"];

    public static async Task GrantAsync(NpgsqlConnection owner, string role, CancellationToken ct)
    {
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(role);
        await owner.ExecuteAsync(new CommandDefinition($"""
            grant usage on schema public to {quoted};
            revoke create on schema public from {quoted};
            grant select, insert, update, delete on all tables in schema public to {quoted};
            grant usage, select on all sequences in schema public to {quoted};
            grant execute on all functions in schema public to {quoted};
            revoke all on schema_migrations from {quoted};
            """, cancellationToken: ct));
        foreach (var table in AppendOnlyTables)
        {
            if (await owner.ExecuteScalarAsync<bool>(new CommandDefinition("select to_regclass(@table) is not null", new { table }, cancellationToken: ct)))
            {
                await owner.ExecuteAsync(new CommandDefinition($"revoke update, delete, truncate on {table} from {quoted}", cancellationToken: ct));
            }
        }
    }
}
