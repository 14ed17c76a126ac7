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
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.DataSpace);
            builder.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return builder.Build();
        });
        services.AddSingleton(sp => new MigrationRunner(
            sp.GetRequiredService<NpgsqlDataSource>(),
            Migration.LoadEmbedded(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MigrationRunner>>()));
        return services;
    }
}
