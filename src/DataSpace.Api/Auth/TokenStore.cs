using Dapper;
using Npgsql;

namespace DataSpace.Api.Auth;

/// <summary>Opaque reference tokens: random strings handed out once, stored only as SHA-256.</summary>
internal sealed class TokenStore(NpgsqlDataSource db, TokenCache cache, TokenCacheFence fence)
{
    /// <summary>What a valid token says about its bearer.</summary>
    /// <summary>The token row with why it may be inactive (expired, revoked, client disabled).</summary>
    /// <remarks>Init properties, not a positional record: Npgsql reports text[] columns as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record TokenState
    {
        public required string ClientId { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string[] Scopes { get; init; }
        public required string[] Roles { get; init; }
        public required DateTime IssuedAt { get; init; }
        public required DateTime ExpiresAt { get; init; }
        public DateTime? RevokedAt { get; init; }
        public DateTime? ClientDisabledAt { get; init; }

        public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ClientDisabledAt is null && ExpiresAt > now.UtcDateTime;
    }

    /// <summary>
    /// What a bearer token says, for authenticating a request: from the coherent cache when it may be used and holds
    /// the token, else one indexed lookup, whose result is cached when the token is active (see <see cref="TokenCache"/>).
    /// </summary>
    public async Task<TokenState?> AuthenticateAsync(string token, DateTimeOffset now, CancellationToken ct)
    {
        var key = TokenHash.Of(token);
        if (cache.Find(key, now) is { } cached)
        {
            return cached;
        }

        var version = cache.Version;
        var state = await FindByHashAsync(key.ToBytes(), ct);
        if (state is not null && cache.Enabled)
        {
            cache.Add(key, state, version, now);
        }

        return state;
    }

    /// <summary>One indexed lookup (primary key on the hash), never cached: introspection and revocation read the truth.</summary>
    public Task<TokenState?> FindAsync(string token, CancellationToken ct) => FindByHashAsync(Secrets.Sha256(token), ct);

    private async Task<TokenState?> FindByHashAsync(byte[] hash, CancellationToken ct)
    {
        const string sql = """
            select t.client_id, t.organization_id, t.scopes, o.roles, t.issued_at, t.expires_at, t.revoked_at, c.disabled_at as client_disabled_at
            from access_tokens t
            join api_clients c on c.client_id = t.client_id
            join organizations o on o.id = t.organization_id
            where t.token_sha256 = @hash
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TokenState>(new CommandDefinition(sql, new { hash }, cancellationToken: ct));
    }

    public async Task IssueAsync(string token, string clientId, Guid organizationId, IReadOnlyList<string> scopes, DateTimeOffset issuedAt, DateTimeOffset expiresAt, CancellationToken ct)
    {
        const string sql = """
            insert into access_tokens (token_sha256, client_id, organization_id, scopes, issued_at, expires_at)
            values (@hash, @clientId, @organizationId, @scopes, @issuedAt, @expiresAt)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            hash = Secrets.Sha256(token),
            clientId,
            organizationId,
            scopes = scopes.ToArray(),
            issuedAt,
            expiresAt,
        }, cancellationToken: ct));
    }

    /// <summary>
    /// Revokes a token if it is still unrevoked and <paramref name="mayRevoke"/> allows it, and returns once no instance
    /// can still accept it from its cache. Unknown tokens are not an error (RFC 7009 §2.2).
    /// </summary>
    public async Task RevokeAsync(string token, Func<TokenState, bool> mayRevoke, DateTimeOffset now, CancellationToken ct)
    {
        var state = await FindAsync(token, ct);
        if (state is null || state.RevokedAt is not null || !mayRevoke(state))
        {
            return;
        }

        int revoked;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            revoked = await conn.ExecuteAsync(new CommandDefinition(
                "update access_tokens set revoked_at = @now where token_sha256 = @hash and revoked_at is null",
                new { now, hash = Secrets.Sha256(token) }, cancellationToken: ct));
        }

        if (revoked > 0)
        {
            await fence.WaitAsync();
        }
    }
}
