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

    /// <summary>Totals kept by triggers (running as their owner) from rows the API writes: the API only reads them.</summary>
    public static readonly IReadOnlyList<string> DerivedTables = ["revenue_rollups", "order_buyer_rollups"];

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
        await RevokeAsync(owner, AppendOnlyTables, "update, delete, truncate", quoted, ct);
        await RevokeAsync(owner, DerivedTables, "insert, update, delete, truncate", quoted, ct);
    }

    private static async Task RevokeAsync(NpgsqlConnection owner, IReadOnlyList<string> tables, string privileges, string quoted, CancellationToken ct)
    {
        foreach (var table in tables)
        {
            if (await owner.ExecuteScalarAsync<bool>(new CommandDefinition("select to_regclass(@table) is not null", new { table }, cancellationToken: ct)))
            {
                await owner.ExecuteAsync(new CommandDefinition($"revoke {privileges} on {table} from {quoted}", cancellationToken: ct));
            }
        }
    }
}
