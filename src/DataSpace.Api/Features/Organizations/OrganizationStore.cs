using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Organizations;
using Npgsql;

namespace DataSpace.Api.Features.Organizations;

[FeatureService]
internal sealed class OrganizationStore(NpgsqlDataSource db, AuditChain audit)
{
    /// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record OrganizationRow
    {
        public required Guid Id { get; init; }
        public required string Name { get; init; }
        public required string UnifiedSocialCreditCode { get; init; }
        public required string[] Roles { get; init; }
        public required DateTime CreatedAt { get; init; }

        public Organization ToContract() => new(Id.ToString(), Name, UnifiedSocialCreditCode, Roles, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
    }

    private const string Columns = "id, name, unified_social_credit_code, roles, created_at";

    /// <summary>Inserts the organisation; returns null when its credit code is already registered.</summary>
    public async Task<OrganizationRow?> CreateAsync(string name, string uscc, string[] roles, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        const string sql = $"""
            insert into organizations (id, name, unified_social_credit_code, roles, created_at)
            values (@id, @name, @uscc, @roles, @now)
            on conflict (unified_social_credit_code) do nothing
            returning {Columns}
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<OrganizationRow>(new CommandDefinition(sql,
            new { id = Guid.CreateVersion7(now), name, uscc, roles, now }, tx, cancellationToken: ct));
        if (row is not null)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, row.Id, "organization", row.Id.ToString(), "registered",
                Details: new { name, unified_social_credit_code = uscc, roles }), ct);
        }

        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<OrganizationRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<OrganizationRow>(new CommandDefinition(
            $"select {Columns} from organizations where id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<Guid?> FindIdByCreditCodeAsync(string uscc, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "select id from organizations where unified_social_credit_code = @uscc", new { uscc }, cancellationToken: ct));
    }

    /// <summary>Keyset page in id order (ids are time-ordered UUIDv7s, so this is registration order).</summary>
    public async Task<IReadOnlyList<OrganizationRow>> ListAsync(Guid? after, string? role, int limit, CancellationToken ct)
    {
        const string sql = $"""
            select {Columns} from organizations
            where (@after::uuid is null or id > @after) and (@role::text is null or @role = any(roles))
            order by id
            limit @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<OrganizationRow>(new CommandDefinition(sql, new { after, role, limit }, cancellationToken: ct));
        return rows.AsList();
    }
}
