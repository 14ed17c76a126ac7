using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataSpace.Api.Tests.Database;

/// <summary>The settings every API session starts with (DatabaseServices).</summary>
public sealed class SessionSettingsTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task The_api_sessions_run_without_jit_compilation()
    {
        await api.OperatorAsync(); // the server is up
        await using var conn = await api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal("off", await conn.ExecuteScalarAsync<string>("show jit"));
    }

    [Fact]
    public void A_connection_string_that_sets_its_own_options_keeps_them()
    {
        var own = new NpgsqlConnectionStringBuilder("Host=h;Options=-c jit=on -c work_mem=8MB");
        Api.Database.DatabaseServices.ApplySessionOptions(own);
        Assert.Equal("-c jit=on -c work_mem=8MB", own.Options);

        var plain = new NpgsqlConnectionStringBuilder("Host=h");
        Api.Database.DatabaseServices.ApplySessionOptions(plain);
        Assert.Equal("-c jit=off", plain.Options);
    }
}
