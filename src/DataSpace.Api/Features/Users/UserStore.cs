using Dapper;
using DataSpace.Api.Features.Audit;
using DataSpace.Contracts.Users;
using Npgsql;

namespace DataSpace.Api.Features.Users;

/// <summary>People of the console: their accounts, their server-side sessions and the failed sign-ins that throttle them.</summary>
[FeatureService]
internal sealed class UserStore(NpgsqlDataSource db, AuditChain audit)
{
    public sealed record UserRow
    {
        public required Guid Id { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string Email { get; init; }
        public required string DisplayName { get; init; }
        public required string ConsoleRole { get; init; }
        public required DateTime CreatedAt { get; init; }
        public DateTime? RemovedAt { get; init; }

        public UserAccount ToContract(IReadOnlyList<string> scopes) => new(Id.ToString(), OrganizationId.ToString(), Email, DisplayName, ConsoleRole, scopes,
            new DateTimeOffset(CreatedAt, TimeSpan.Zero), RemovedAt is { } r ? new DateTimeOffset(r, TimeSpan.Zero) : null);
    }

    /// <summary>What sign-in needs: the account, its password hash and whether it may still sign in.</summary>
    public sealed record Credentials
    {
        public required Guid Id { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string Email { get; init; }
        public required string PasswordHash { get; init; }
        public DateTime? RemovedAt { get; init; }
    }

    /// <summary>A live session with everything a request's principal is built from.</summary>
    /// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record SessionRow
    {
        public required Guid UserId { get; init; }
        public required Guid OrganizationId { get; init; }
        public required string OrganizationName { get; init; }
        public required string[] OrganizationRoles { get; init; }
        public required string Email { get; init; }
        public required string DisplayName { get; init; }
        public required string ConsoleRole { get; init; }
        public required DateTime UserCreatedAt { get; init; }
        public required DateTime ExpiresAt { get; init; }
        public required DateTime LastSeenAt { get; init; }
        public required string CsrfToken { get; init; }
        public required bool TotpEnabled { get; init; }
    }

    private const string UserColumns = "id, organization_id, email, display_name, console_role, created_at, removed_at";

    /// <summary>Creates the account, or returns null when the e-mail address already has one (on the whole platform).</summary>
    public async Task<UserRow?> CreateAsync(Guid organizationId, string email, string displayName, string consoleRole, string passwordHash,
        DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition($"""
            insert into users (id, organization_id, email, display_name, console_role, password_hash, created_at, created_by_user_id)
            values (@id, @organizationId, @email, @displayName, @consoleRole, @passwordHash, @now, @createdBy)
            on conflict (email) do nothing
            returning {UserColumns}
            """, new { id = Guid.CreateVersion7(now), organizationId, email, displayName, consoleRole, passwordHash, now, createdBy = actor.UserId }, tx, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "user", row.Id.ToString(), "created",
            Details: new { email, console_role = consoleRole }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>One page of the organisation's users (removed ones included, marked) in e-mail order, after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<UserRow>> ListAsync(Guid organizationId, string? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<UserRow>(new CommandDefinition($"""
            select {UserColumns} from users
            where organization_id = @organizationId and (@after::text is null or email > @after)
            order by email collate "C" limit @limit
            """, new { organizationId, after, limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Removes a user of the organisation and ends every session of theirs; false when the organisation has no such (current) user.</summary>
    public async Task<bool> RemoveAsync(Guid organizationId, Guid userId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await conn.ExecuteAsync(new CommandDefinition("""
            update users set removed_at = @now where id = @userId and organization_id = @organizationId and removed_at is null
            """, new { userId, organizationId, now }, tx, cancellationToken: ct)) == 1;
        if (!removed)
        {
            return false;
        }

        var sessions = await conn.ExecuteAsync(new CommandDefinition(
            "update user_sessions set revoked_at = @now where user_id = @userId and revoked_at is null", new { userId, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "user", userId.ToString(), "removed", Details: new { sessions_ended = sessions }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<Credentials?> FindCredentialsAsync(string email, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Credentials>(new CommandDefinition(
            "select id, organization_id, email, password_hash, removed_at from users where email = @email", new { email }, cancellationToken: ct));
    }

    /// <summary>The credentials of a current (not removed) user, by id.</summary>
    public async Task<Credentials?> FindCredentialsAsync(Guid userId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Credentials>(new CommandDefinition(
            "select id, organization_id, email, password_hash, removed_at from users where id = @userId and removed_at is null", new { userId }, cancellationToken: ct));
    }

    /// <summary>
    /// Replaces the password hash if it is still <paramref name="oldHash"/> (a concurrent change wins otherwise), ends
    /// every other session of the user, clears the account's failed sign-ins and records the change; returns the
    /// number of sessions ended, or null when the hash had changed meanwhile.
    /// </summary>
    public async Task<int?> ChangePasswordAsync(Credentials user, string oldHash, string newHash, byte[] keptSessionSha256, DateTimeOffset now,
        AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            update users set password_hash = @newHash where id = @userId and password_hash = @oldHash and removed_at is null
            """, new { userId = user.Id, oldHash, newHash }, tx, cancellationToken: ct)) == 1;
        if (!changed)
        {
            return null;
        }

        var ended = await conn.ExecuteAsync(new CommandDefinition("""
            update user_sessions set revoked_at = @now where user_id = @userId and session_sha256 <> @keptSessionSha256 and revoked_at is null;
            """, new { userId = user.Id, keptSessionSha256, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("delete from sign_in_failures where email = @email", new { email = user.Email }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, user.OrganizationId, "user", user.Id.ToString(), "password_changed",
            Details: new { other_sessions_ended = ended }), ct);
        await tx.CommitAsync(ct);
        return ended;
    }

    /// <summary>A user's confirmed TOTP second factor: the protected secret and the last step a code was accepted for.</summary>
    public sealed record TotpRow(string SecretProtected, long LastStep);

    public async Task<TotpRow?> FindTotpAsync(Guid userId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TotpRow>(new CommandDefinition(
            "select secret_protected, last_step from user_totp where user_id = @userId", new { userId }, cancellationToken: ct));
    }

    /// <summary>
    /// Stores a confirmed secret, with the confirming code's step as used, and records the enrolment; false when the user
    /// has a second factor already (a concurrent confirmation won).
    /// </summary>
    public async Task<bool> EnableTotpAsync(Credentials user, string secretProtected, long step, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var stored = await conn.ExecuteAsync(new CommandDefinition("""
            insert into user_totp (user_id, secret_protected, enabled_at, last_step) values (@userId, @secretProtected, @now, @step)
            on conflict (user_id) do nothing
            """, new { userId = user.Id, secretProtected, now, step }, tx, cancellationToken: ct)) == 1;
        if (!stored)
        {
            return false;
        }

        await audit.AppendAsync(conn, tx, new AuditEntry(actor, user.OrganizationId, "user", user.Id.ToString(), "totp_enabled",
            Details: new { email = user.Email }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Marks a code's step as used if no code of it or a later step was accepted before: true once per step, so of two
    /// requests racing with the same code only one gets in.
    /// </summary>
    public async Task<bool> UseTotpStepAsync(Guid userId, long step, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "update user_totp set last_step = @step where user_id = @userId and last_step < @step", new { userId, step }, cancellationToken: ct)) == 1;
    }

    /// <summary>Removes the second factor with a code of a step not used yet, and records it; false when that step was used meanwhile.</summary>
    public async Task<bool> DisableTotpAsync(Credentials user, long step, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await conn.ExecuteAsync(new CommandDefinition(
            "delete from user_totp where user_id = @userId and last_step < @step", new { userId = user.Id, step }, tx, cancellationToken: ct)) == 1;
        if (!removed)
        {
            return false;
        }

        await audit.AppendAsync(conn, tx, new AuditEntry(actor, user.OrganizationId, "user", user.Id.ToString(), "totp_disabled",
            Details: new { email = user.Email }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Stores a stronger hash of the same password (PasswordHasher asked for it: older parameters).</summary>
    public async Task RehashAsync(Guid userId, string passwordHash, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("update users set password_hash = @passwordHash where id = @userId", new { userId, passwordHash }, cancellationToken: ct));
    }

    /// <summary>Failed sign-ins within the window: for this account, and from this address.</summary>
    public async Task<(int Account, int Address)> FailuresSinceAsync(string email, string address, DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var counts = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition("""
            select (select count(*) from sign_in_failures where email = @email and failed_at > @since),
                   (select count(*) from sign_in_failures where remote_address = @address and failed_at > @since)
            """, new { email, address, since }, cancellationToken: ct));
        return ((int)counts.Item1, (int)counts.Item2);
    }

    /// <summary>Records a failed sign-in and forgets this account's and address's failures older than the window.</summary>
    public async Task RecordFailureAsync(string email, string address, DateTimeOffset now, DateTimeOffset windowStart, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            delete from sign_in_failures where (email = @email or remote_address = @address) and failed_at <= @windowStart;
            insert into sign_in_failures (email, remote_address, failed_at) values (@email, @address, @now);
            """, new { email, address, now, windowStart }, cancellationToken: ct));
    }

    /// <summary>Creates a session after a successful sign-in, clearing the account's failures, and records the sign-in.</summary>
    public async Task CreateSessionAsync(Guid userId, Guid organizationId, string email, byte[] sessionSha256, string csrfToken, DateTimeOffset now,
        DateTimeOffset expiresAt, string address, string? userAgent, bool secondFactor, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            delete from sign_in_failures where email = @email;
            insert into user_sessions (session_sha256, user_id, created_at, expires_at, last_seen_at, csrf_token, remote_address, user_agent)
            values (@sessionSha256, @userId, @now, @expiresAt, @now, @csrfToken, @address, @userAgent);
            """, new { email, sessionSha256, userId, now, expiresAt, csrfToken, address, userAgent }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "user", userId.ToString(), "signed_in",
            Details: new { remote_address = address, second_factor = secondFactor ? "totp" : null }), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The session if it is live at <paramref name="now"/>: not revoked, not past its end or its idle timeout, its user not removed.</summary>
    public async Task<SessionRow?> FindLiveSessionAsync(byte[] sessionSha256, DateTimeOffset now, TimeSpan idleTimeout, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition("""
            select u.id as user_id, u.organization_id, o.name as organization_name, o.roles as organization_roles, u.email, u.display_name,
                   u.console_role, u.created_at as user_created_at, s.expires_at, s.last_seen_at, s.csrf_token,
                   exists (select 1 from user_totp t where t.user_id = u.id) as totp_enabled
            from user_sessions s join users u on u.id = s.user_id join organizations o on o.id = u.organization_id
            where s.session_sha256 = @sessionSha256 and s.revoked_at is null and s.expires_at > @now and s.last_seen_at > @idleSince
              and u.removed_at is null
            """, new { sessionSha256, now, idleSince = now - idleTimeout }, cancellationToken: ct));
    }

    /// <summary>Marks a session that is no longer live as ended, so that turning the clock back never revives it.</summary>
    public async Task EndDeadSessionAsync(byte[] sessionSha256, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "update user_sessions set revoked_at = @now where session_sha256 = @sessionSha256 and revoked_at is null", new { sessionSha256, now }, cancellationToken: ct));
    }

    public async Task TouchAsync(byte[] sessionSha256, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "update user_sessions set last_seen_at = greatest(last_seen_at, @now) where session_sha256 = @sessionSha256", new { sessionSha256, now }, cancellationToken: ct));
    }

    /// <summary>Ends one session (sign-out) or, with <paramref name="everywhere"/>, every session of its user; returns how many ended.</summary>
    public async Task<int> EndSessionsAsync(byte[] sessionSha256, bool everywhere, DateTimeOffset now, AuditActor actor, Guid organizationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ended = await conn.ExecuteAsync(new CommandDefinition(everywhere
            ? """
              update user_sessions set revoked_at = @now
              where user_id = (select user_id from user_sessions where session_sha256 = @sessionSha256) and revoked_at is null
              """
            : "update user_sessions set revoked_at = @now where session_sha256 = @sessionSha256 and revoked_at is null",
            new { sessionSha256, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, organizationId, "user", actor.UserId?.ToString() ?? "", everywhere ? "signed_out_everywhere" : "signed_out",
            Details: new { sessions_ended = ended }), ct);
        await tx.CommitAsync(ct);
        return ended;
    }
}
