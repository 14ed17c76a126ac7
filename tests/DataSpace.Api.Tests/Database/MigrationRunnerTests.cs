using Dapper;
using DataSpace.Api.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataSpace.Api.Tests.Database;

/// <summary>The production migrations against fresh databases of their own.</summary>
public sealed class MigrationRunnerTests : IAsyncLifetime
{
    private readonly string _database = TestDatabase.NewName();
    private NpgsqlDataSource _db = null!;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(_database);
        _db = NpgsqlDataSource.Create(TestDatabase.ConnectionStringFor(_database));
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await TestDatabase.DropAsync(_database);
    }

    private MigrationRunner Runner(IReadOnlyList<Migration>? migrations = null) =>
        new(_db, null, migrations ?? Migration.LoadEmbedded(), TimeProvider.System, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public void Embedded_migrations_are_numbered_without_gaps_or_repeats()
    {
        var versions = Migration.LoadEmbedded().Select(m => m.Version).ToList();
        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }

    [Fact]
    public async Task Applying_twice_applies_each_migration_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await Runner().ApplyAsync(ct);
        var second = await Runner().ApplyAsync(ct);

        Assert.Equal(Migration.LoadEmbedded().Select(m => m.Name), first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task Instances_starting_at_once_apply_each_migration_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Runner().ApplyAsync(ct), ct)));

        Assert.Equal(Migration.LoadEmbedded().Select(m => m.Name), results.SelectMany(r => r).Order(StringComparer.Ordinal));
        await using var conn = await _db.OpenConnectionAsync(ct);
        Assert.Equal(Migration.LoadEmbedded().Count, await conn.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
    }

    [Fact]
    public async Task An_edited_applied_migration_stops_start_up_and_is_named()
    {
        var ct = TestContext.Current.CancellationToken;
        await Runner().ApplyAsync(ct);
        var edited = Migration.LoadEmbedded().Select(m => m.Version == 1 ? m with { Sql = m.Sql + "\n-- an innocent-looking edit\n" } : m).ToList();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner(edited).ApplyAsync(ct));

        Assert.Contains(edited[0].Name, error.Message, StringComparison.Ordinal);
        Assert.Contains("edited", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_half_applied()
    {
        var ct = TestContext.Current.CancellationToken;
        var broken = Migration.LoadEmbedded().Append(new Migration(999, "0999_broken.sql", "create table half_done (id int); select 1/0;")).ToList();

        await Assert.ThrowsAsync<PostgresException>(() => Runner(broken).ApplyAsync(ct));

        await using var conn = await _db.OpenConnectionAsync(ct);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from schema_migrations where version = 999"));
        Assert.False(await conn.ExecuteScalarAsync<bool>("select to_regclass('half_done') is not null"));
    }

    [Fact]
    public void Line_endings_do_not_change_a_checksum()
    {
        var lf = new Migration(1, "0001_x.sql", "create table a (id int);\nselect 1;\n");
        var crlf = new Migration(1, "0001_x.sql", "create table a (id int);\r\nselect 1;\r\n");
        Assert.Equal(lf.Checksum, crlf.Checksum);
    }

    /// <summary>The upgrade to the webhooks scope: clients that existed before it keep what they could do.</summary>
    [Fact]
    public async Task Clients_that_held_catalog_before_the_upgrade_get_webhooks_and_the_others_are_left_as_they_were()
    {
        var ct = TestContext.Current.CancellationToken;
        var all = Migration.LoadEmbedded();
        await Runner(all.Where(m => m.Version < 30).ToList()).ApplyAsync(ct);
        await using (var conn = await _db.OpenConnectionAsync(ct))
        {
            var org = Guid.NewGuid();
            await conn.ExecuteAsync(new CommandDefinition(
                "insert into organizations (id, name, unified_social_credit_code, roles, created_at) values (@org, '升级前单位', @uscc, array['source_unit'], now())",
                new { org, uscc = Uscc.Random() }, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("""
                insert into api_clients (client_id, organization_id, name, secret_sha256, scopes, created_at) values
                    ('before-catalog', @org, 'a', @hash, array['catalog', 'publish'], now()),
                    ('before-publish-only', @org, 'b', @hash, array['publish'], now()),
                    ('before-already', @org, 'c', @hash, array['catalog', 'webhooks'], now())
                """, new { org, hash = new byte[32] }, cancellationToken: ct));
        }

        var applied = await Runner(all).ApplyAsync(ct);

        Assert.Contains("0030_webhooks_scope.sql", applied);
        await using var check = await _db.OpenConnectionAsync(ct);
        var scopes = (await check.QueryAsync<(string ClientId, string Scopes)>(new CommandDefinition(
            "select client_id, array_to_string(scopes, ' ') as scopes from api_clients", cancellationToken: ct))).ToDictionary(r => r.ClientId, r => r.Scopes.Split(' '));
        Assert.Equal(["catalog", "webhooks"], scopes["before-already"]);
        Assert.Equal(["catalog", "publish", "webhooks"], scopes["before-catalog"]);
        Assert.Equal(["publish"], scopes["before-publish-only"]);
    }
}
