using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Auth;

/// <summary>
/// What a request that changed a token's fate (revocation, client disable, role change) awaits after its commit and
/// before it answers: every instance whose lease is live has acknowledged the change's epoch, or its lease has run
/// out, after which it bypasses its cache. Leases cannot be extended without acknowledging (see
/// <see cref="TokenCacheListener"/>), so the wait ends within one lease even when an instance hangs; on a healthy
/// cluster it ends after the listeners' acknowledgement round trip.
/// </summary>
internal sealed partial class TokenCacheFence(NpgsqlDataSource db, IOptions<TokenCacheOptions> options, ILogger<TokenCacheFence> logger)
{
    /// <summary>
    /// Waits for the epoch committed so far. Deliberately not cancellable by the request: a client that gives up must
    /// not be able to send its next request to an instance that has not yet dropped the token.
    /// </summary>
    public async Task WaitAsync()
    {
        var limit = options.Value.Lease + TimeSpan.FromSeconds(2);
        var started = TimeProvider.System.GetTimestamp();
        await using var conn = await db.OpenConnectionAsync();
        var epoch = await conn.ExecuteScalarAsync<long>("select epoch from token_cache_epoch");
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var pending = await conn.ExecuteScalarAsync<long>(
                "select count(*) from token_cache_listeners where acked_epoch < @epoch and lease_expires_at > now()", new { epoch });
            if (pending == 0)
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                // Cannot happen while leases are only extended after acknowledging; logged rather than hung on.
                LogStuck(logger, pending, epoch);
                return;
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(20).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Pending} token cache listeners neither acknowledged epoch {Epoch} nor let their lease run out")]
    private static partial void LogStuck(ILogger logger, long pending, long epoch);
}
