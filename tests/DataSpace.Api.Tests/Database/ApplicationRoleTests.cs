using Dapper;
using Npgsql;

namespace DataSpace.Api.Tests.Database;

/// <summary>
/// The API connects as a role with data rights only; the migration runner (as the schema owner) grants them. What the
/// design keeps append-only, that role can only add to, and it can change no schema — even if the API host is taken.
/// </summary>
public sealed class ApplicationRoleTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private NpgsqlConnection AsApplication() =>
        new(TestDatabase.ApplicationConnectionStringFor(new NpgsqlConnectionStringBuilder(api.ConnectionString).Database!));

    [Fact]
    public async Task The_api_runs_as_a_role_that_is_neither_superuser_nor_schema_owner()
    {
        await using var conn = AsApplication();
        var (user, super, owner) = await conn.QuerySingleAsync<(string, bool, string)>("""
            select current_user, (select rolsuper from pg_roles where rolname = current_user), n.nspowner::regrole::text
            from pg_namespace n where n.nspname = 'public'
            """);
        Assert.Equal(TestServers.Current.ApplicationRole, user);
        Assert.False(super);
        Assert.NotEqual(user, owner);
    }

    [Theory]
    [InlineData("update audit_events set action = 'forged'")]
    [InlineData("delete from audit_events")]
    [InlineData("truncate audit_events")]
    [InlineData("update revenue_entries set amount_fen = 0")]
    [InlineData("delete from revenue_entries")]
    [InlineData("update reward_run_lines set reward_fen = 0")]
    [InlineData("delete from reward_run_units")]
    [InlineData("update revenue_rollups set amount_fen = amount_fen + 100")]
    [InlineData("insert into revenue_rollups (grain, starts, dataset_id, amount_fen) values ('y', '2026-01-01', gen_random_uuid(), 100)")]
    [InlineData("delete from order_buyer_rollups")]
    [InlineData("create table smuggled (id int)")]
    [InlineData("drop table datasets")]
    [InlineData("alter table api_clients add column backdoor text")]
    [InlineData("delete from schema_migrations")]
    [InlineData("create function f() returns int language sql as 'select 1'")]
    public async Task The_application_role_is_refused(string sql)
    {
        await api.OperatorAsync(); // the server is up and has applied its migrations and grants
        await using var conn = AsApplication();
        var e = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        // The privilege system refused it, not only the append-only triggers (which raise the same SQLSTATE).
        Assert.Matches("^(permission denied|must be owner)", e.MessageText);
    }

    [Fact]
    public async Task The_application_role_reads_and_appends_the_audit_chain()
    {
        using var op = await api.OperatorClient();
        (await op.GetAsync("/v1/organizations/me", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await using var conn = AsApplication();
        Assert.True(await conn.ExecuteScalarAsync<long>("select count(*) from organizations") > 0);
        Assert.True(await conn.ExecuteScalarAsync<bool>("select has_table_privilege('audit_events', 'insert')"));
    }
}
