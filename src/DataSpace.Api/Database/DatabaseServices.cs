using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Database;

internal static class DatabaseServices
{
    public static IServiceCollection AddDataSpaceDatabase(this IServiceCollection services)
    {
        // Dapper maps snake_case columns onto PascalCase members once, for every query.
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseTimeoutOptions>().BindConfiguration(DatabaseTimeoutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.DataSpace);
            ApplyTimeouts(builder.ConnectionStringBuilder, options.DataSpace!, sp.GetRequiredService<IOptions<DatabaseTimeoutOptions>>().Value);

            // Plan once per connection, not per request: the catalog's planning took three times its execution.
            // A connection string that sets Max Auto Prepare itself keeps its own value.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
                builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }

            // No JIT compilation: PostgreSQL compiles a statement whose estimated cost passes jit_above_cost, and on this
            // API's statements that costs more than it saves — the reward run's gather took 1.3 s with JIT (0.8 s of it
            // compiling 137 functions) and 0.5 s without. A connection string that sets Options itself keeps its own.
            ApplySessionOptions(builder.ConnectionStringBuilder);

            builder.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var app = new NpgsqlConnectionStringBuilder(options.DataSpace);
            if (string.IsNullOrWhiteSpace(options.Migrations))
            {
                return new MigrationRunner(sp.GetRequiredService<NpgsqlDataSource>(), null, Migration.LoadEmbedded(),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MigrationRunner>>());
            }

            // The owner's connection is used at start-up only: no pool kept, nothing prepared.
            var owner = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(options.Migrations) { Pooling = false }.ConnectionString).Build();
            var ownerUser = new NpgsqlConnectionStringBuilder(options.Migrations).Username;
            return new MigrationRunner(owner, ownerUser == app.Username ? null : app.Username, Migration.LoadEmbedded(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MigrationRunner>>());
        });
        return services;
    }

    /// <summary>The server settings every API connection starts with, unless its connection string sets Options.</summary>
    internal const string SessionOptions = "-c jit=off";

    /// <summary>Starts every session with <see cref="SessionOptions"/>, unless the connection string sets Options itself.</summary>
    internal static void ApplySessionOptions(NpgsqlConnectionStringBuilder target)
    {
        if (string.IsNullOrEmpty(target.Options))
        {
            target.Options = SessionOptions;
        }
    }

    /// <summary>Sets each timeout the connection string leaves out (under any of its spellings) from the options.</summary>
    internal static void ApplyTimeouts(NpgsqlConnectionStringBuilder target, string connectionString, DatabaseTimeoutOptions timeouts)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Timeout") && !given.ContainsKey("Connect Timeout") && !given.ContainsKey("Connection Timeout"))
        {
            target.Timeout = timeouts.ConnectTimeoutSeconds;
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            target.CommandTimeout = timeouts.CommandTimeoutSeconds;
        }

        if (!given.ContainsKey("Cancellation Timeout") && !given.ContainsKey("CancellationTimeout"))
        {
            target.CancellationTimeout = timeouts.CancellationTimeoutSeconds * 1000;
        }
    }
}
