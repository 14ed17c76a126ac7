using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Clients;
using Npgsql;

namespace DataSpace.Api.Features.Clients;

[FeatureService]
internal sealed class ClientStore(NpgsqlDataSource db, AuditChain audit, Auth.TokenCacheFence fence)
{
    /// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record ClientRow
    {
        public required string ClientId { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string Name { get; init; }
        public required string[] Scopes { get; init; }
        public required DateTime CreatedAt { get; init; }
        public DateTime? DisabledAt { get; init; }

        public ApiClient ToContract() => new(ClientId, OrganizationId.ToString(), Name, Scopes,
            new DateTimeOffset(CreatedAt, TimeSpan.Zero), DisabledAt is { } d ? new DateTimeOffset(d, TimeSpan.Zero) : null);
    }

    /// <summary>What the token endpoint needs to authenticate a client.</summary>
    public sealed record ClientCredentials
    {
        public required string ClientId { get; init; }
        public required Guid OrganizationId { get; init; }
        public required byte[] SecretSha256 { get; init; }
        public required string[] Scopes { get; init; }
        public required string[] Roles { get; init; }
        public DateTime? DisabledAt { get; init; }
    }

    public async Task<ClientRow> CreateAsync(Guid organizationId, string clientId, string name, byte[] secretSha256, string[] scopes, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        const string sql = """
            insert into api_clients (client_id, organization_id, name, secret_sha256, scopes, created_at)
            values (@clientId, @organizationId, @name, @secretSha256, @scopes, @now)
            returning client_id, organization_id, name, scopes, created_at, disabled_at
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<ClientRow>(new CommandDefinition(sql,
            new { clientId, organizationId, name, secretSha256, scopes, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "client", clientId, "created", Details: new { name, scopes }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>One page of the organisation's clients in client id order, after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<ClientRow>> ListAsync(Guid organizationId, string? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ClientRow>(new CommandDefinition("""
            select client_id, organization_id, name, scopes, created_at, disabled_at
            from api_clients where organization_id = @organizationId and (@after::text is null or client_id > @after)
            order by client_id collate "C" limit @limit
            """, new { organizationId, after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<ClientCredentials?> FindCredentialsAsync(string clientId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ClientCredentials>(new CommandDefinition("""
            select c.client_id, c.organization_id, c.secret_sha256, c.scopes, o.roles, c.disabled_at
            from api_clients c join organizations o on o.id = c.organization_id
            where c.client_id = @clientId
            """, new { clientId }, cancellationToken: ct));
    }

    /// <summary>
    /// Disables the client and revokes its live tokens in one transaction, then returns once no instance can still
    /// accept them from its cache; false when no such client exists.
    /// </summary>
    public async Task<bool> DisableAsync(string clientId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var owner = await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            with target as (select client_id, organization_id from api_clients where client_id = @clientId for update),
                 disabled as (update api_clients set disabled_at = coalesce(disabled_at, @now) where client_id in (select client_id from target))
            select organization_id from target
            """, new { clientId, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "update access_tokens set revoked_at = @now where client_id = @clientId and revoked_at is null",
            new { clientId, now }, tx, cancellationToken: ct));
        if (owner is not null)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, owner, "client", clientId, "disabled"), ct);
        }

        await tx.CommitAsync(ct);
        if (owner is not null)
        {
            await fence.WaitAsync();
        }

        return owner is not null;
    }
}
