using Dapper;
using DataSpace.Api.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataSpace.Api.Tests.Database;

/// <summary>
/// The upgrade to the webhooks scope on a database of its own: clients that existed before it keep what they could do
/// (the migrations before 0029 applied, clients written, then the rest applied).
/// </summary>
public sealed class WebhooksScopeMigrationTests : IAsyncLifetime
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

    private MigrationRunner Runner(IReadOnlyList<Migration> migrations) =>
        new(_db, null, migrations, TimeProvider.System, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task Clients_that_held_catalog_before_the_upgrade_get_webhooks_and_the_others_are_left_as_they_were()
    {
        var ct = TestContext.Current.CancellationToken;
        var all = Migration.LoadEmbedded();
        await Runner([.. all.Where(m => m.Version < 29)]).ApplyAsync(ct);
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

        Assert.Contains("0029_webhooks_scope.sql", applied);
        await using var check = await _db.OpenConnectionAsync(ct);
        var scopes = (await check.QueryAsync<(string ClientId, string Scopes)>(new CommandDefinition(
            "select client_id, array_to_string(scopes, ' ') as scopes from api_clients", cancellationToken: ct))).ToDictionary(r => r.ClientId, r => r.Scopes.Split(' '));
        Assert.Equal(["catalog", "webhooks"], scopes["before-already"]);
        Assert.Equal(["catalog", "publish", "webhooks"], scopes["before-catalog"]);
        Assert.Equal(["publish"], scopes["before-publish-only"]);
    }
}
