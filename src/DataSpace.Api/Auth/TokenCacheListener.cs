using Dapper;
using DataSpace.Api.Database;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Auth;

/// <summary>
/// Keeps <see cref="TokenCache"/> coherent: one dedicated connection (not from the pool) that LISTENs to
/// <c>dataspace_token_cache</c>, applies each notification, acknowledges it and renews this instance's lease in
/// <c>token_cache_listeners</c>. Any failure (the connection is lost, terminated or hangs past its command timeout)
/// stops the cache, which then validates every request against the database until listening succeeds again.
/// </summary>
internal sealed partial class TokenCacheListener(
    TokenCache cache,
    IOptions<DatabaseOptions> database,
    IOptions<DatabaseTimeoutOptions> timeouts,
    IOptions<TokenCacheOptions> options,
    ILogger<TokenCacheListener> logger) : BackgroundService
{
    public const string Channel = "dataspace_token_cache";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cache.Enabled)
        {
            return;
        }

        var builder = new NpgsqlConnectionStringBuilder(database.Value.DataSpace)
        {
            Pooling = false,
            ApplicationName = "dataspace-token-cache",
            MaxAutoPrepare = 0,
        };
        DatabaseServices.ApplyTimeouts(builder, database.Value.DataSpace!, timeouts.Value);
        var connectionString = builder.ConnectionString;
        var delay = TimeSpan.FromMilliseconds(20);
        while (!stoppingToken.IsCancellationRequested)
        {
            var listened = false;
            try
            {
                await ListenAsync(connectionString, () => listened = true, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong, the cache is already stopped (bypassed) and listening starts again.
                LogLost(logger, e.Message);
            }

            delay = listened ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ListenAsync(string connectionString, Action listened, CancellationToken ct)
    {
        var lease = options.Value.Lease;
        var heartbeat = lease / 4;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        conn.Notification += (_, e) => cache.Apply(e.Payload);
        await conn.ExecuteAsync(new CommandDefinition($"listen {Channel}", cancellationToken: ct));

        // LISTEN is in effect (its transaction has committed): every change committed from here on reaches us. Register
        // with the committed epoch (read FOR SHARE: after any revocation in progress commits), then start afresh, so
        // nothing notified before we listened can linger in the cache.
        var sent = TimeProvider.System.GetTimestamp();
        var epoch = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            with gone as (delete from token_cache_listeners where lease_expires_at < now() - interval '1 hour'),
                 e as (select epoch from token_cache_epoch for share)
            insert into token_cache_listeners (instance_id, backend_pid, acked_epoch, lease_expires_at, registered_at)
            select @id, pg_backend_pid(), e.epoch, now() + @lease, now() from e
            on conflict (instance_id) do update set backend_pid = excluded.backend_pid, acked_epoch = excluded.acked_epoch,
                lease_expires_at = excluded.lease_expires_at, registered_at = excluded.registered_at
            returning acked_epoch
            """, new { id = cache.InstanceId, lease }, cancellationToken: ct));
        cache.StartListening(epoch, TokenCache.Deadline(sent, lease));
        listened();
        LogListening(logger, cache.InstanceId, epoch);

        try
        {
            while (true)
            {
                await conn.WaitAsync(heartbeat, ct);
                // Acknowledge what was applied and renew; notifications arriving meanwhile are applied during the command,
                // so repeat until the acknowledgement has caught up (a waiting revocation should not wait a heartbeat).
                long acked;
                do
                {
                    acked = cache.SeenEpoch;
                    sent = TimeProvider.System.GetTimestamp();
                    // The epoch is read FOR SHARE: a revocation that has bumped it but not committed makes us wait for its
                    // commit and read its epoch, so a lease is never extended past a change this instance has not applied.
                    var extended = await conn.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition("""
                        with e as (select epoch from token_cache_epoch for share)
                        update token_cache_listeners l
                        set acked_epoch = greatest(l.acked_epoch, @acked),
                            lease_expires_at = case when greatest(l.acked_epoch, @acked) >= e.epoch then now() + @lease else l.lease_expires_at end
                        from e
                        where l.instance_id = @id
                        returning l.acked_epoch >= e.epoch
                        """, new { id = cache.InstanceId, acked, lease }, cancellationToken: ct))
                        ?? throw new InvalidOperationException("This instance's token cache lease row is gone.");
                    if (extended)
                    {
                        cache.ExtendLease(TokenCache.Deadline(sent, lease));
                    }
                }
                while (cache.SeenEpoch > acked);
            }
        }
        finally
        {
            cache.StopListening();
            if (ct.IsCancellationRequested && conn.State == System.Data.ConnectionState.Open)
            {
                // Leaving: no revocation should wait for our lease to run out.
                try
                {
                    await conn.ExecuteAsync(new CommandDefinition("delete from token_cache_listeners where instance_id = @id",
                        new { id = cache.InstanceId }, commandTimeout: 2));
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogLost(logger, e.Message);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token cache listening as instance {InstanceId} from epoch {Epoch}")]
    private static partial void LogListening(ILogger logger, Guid instanceId, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token cache stopped listening; every request is validated against the database until it listens again: {Reason}")]
    private static partial void LogLost(ILogger logger, string reason);
}
