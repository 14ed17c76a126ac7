using Npgsql;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>A database of its own per fixture, so tests never see each other's rows and run in parallel.</summary>
internal static class TestDatabase
{
    public static string NewName() => "dataspace_test_" + Guid.NewGuid().ToString("N");

    /// <summary>The superuser's connection to the database: what tests use to look behind the API's back.</summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = database, MaxPoolSize = 40 }.ConnectionString;

    /// <summary>The application role's connection to the database: what the API under test runs as.</summary>
    public static string ApplicationConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin)
        {
            Database = database,
            MaxPoolSize = 40,
            Username = TestServers.Current.ApplicationRole,
            Password = TestServers.Current.ApplicationPassword,
        }.ConnectionString;

    public static async Task CreateAsync(string database)
    {
        await using var conn = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"create database \"{database}\" template template0 encoding 'UTF8'", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task DropAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop database if exists \"{database}\" with (force)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
