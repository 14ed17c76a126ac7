using System.ComponentModel.DataAnnotations;
using Dapper;
using DataSpace.Api.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Features.Maintenance;

/// <summary>How long rows that only matter for a while are kept after they stop mattering (section Purge).</summary>
internal sealed class PurgeOptions : IValidatableObject
{
    public const string Section = "Purge";

    /// <summary>Minutes between purges (Purge__IntervalMinutes); every replica may run it, deletes are idempotent.</summary>
    [Range(1, 10_080, ErrorMessage = "Set Purge:IntervalMinutes between 1 and 10080.")]
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Hours an access token is kept after it expired or was revoked (introspection then answers inactive either way).</summary>
    [Range(0, 87_600, ErrorMessage = "Set Purge:TokenRetentionHours between 0 and 87600.")]
    public int TokenRetentionHours { get; set; } = 24;

    /// <summary>Hours an idempotency key is kept after it was claimed; at least the replay window of 24 hours.</summary>
    [Range(24, 87_600, ErrorMessage = "Set Purge:IdempotencyRetentionHours between 24 (the replay window) and 87600.")]
    public int IdempotencyRetentionHours { get; set; } = 48;

    /// <summary>Hours a webhook delivery's replay record is kept; it must outlive the delivery window (Payments:WebhookWindow).</summary>
    [Range(1, 87_600, ErrorMessage = "Set Purge:WebhookDeliveryRetentionHours between 1 and 87600.")]
    public int WebhookDeliveryRetentionHours { get; set; } = 24;

    /// <summary>Rows deleted per statement, so a large backlog never holds long locks.</summary>
    [Range(100, 1_000_000, ErrorMessage = "Set Purge:BatchRows between 100 and 1000000.")]
    public int BatchRows { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TimeSpan.FromHours(IdempotencyRetentionHours) < Idempotency.Retention)
        {
            yield return new ValidationResult($"Set Purge:IdempotencyRetentionHours to at least {Idempotency.Retention.TotalHours} hours.");
        }
    }
}

/// <summary>What one purge deleted.</summary>
internal sealed record PurgeResult(long Tokens, long IdempotencyKeys, long WebhookDeliveries);

/// <summary>
/// Deletes access tokens, idempotency keys and webhook replay records once they are past their use plus a retention,
/// at start-up and then every Purge:IntervalMinutes. A webhook replay record is only dropped once the delivery it
/// records is older than the delivery window, so a replay is refused as stale instead.
/// </summary>
internal sealed partial class ExpiredRowPurge(
    NpgsqlDataSource db, TimeProvider clock, IOptions<PurgeOptions> options, IOptions<Orders.PaymentOptions> payments, ILogger<ExpiredRowPurge> logger)
    : BackgroundService
{
    /// <summary>One purge, now; what the background loop runs each interval.</summary>
    public async Task<PurgeResult> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var webhookRetention = TimeSpan.FromHours(o.WebhookDeliveryRetentionHours);
        if (webhookRetention < payments.Value.WebhookWindow * 2)
        {
            webhookRetention = payments.Value.WebhookWindow * 2;
        }

        var tokens = await DeleteAsync(
            """
            delete from access_tokens where token_sha256 = any(array(
                select token_sha256 from access_tokens where expires_at < @before or revoked_at < @before limit @batch))
            """, now - TimeSpan.FromHours(o.TokenRetentionHours), o.BatchRows, ct);
        var keys = await DeleteAsync(
            """
            delete from idempotency_keys where (organization_id, key) in (
                select organization_id, key from idempotency_keys where created_at < @before limit @batch)
            """, now - TimeSpan.FromHours(o.IdempotencyRetentionHours), o.BatchRows, ct);
        var deliveries = await DeleteAsync(
            """
            delete from webhook_deliveries where signature_sha256 = any(array(
                select signature_sha256 from webhook_deliveries where received_at < @before limit @batch))
            """, now - webhookRetention, o.BatchRows, ct);
        var result = new PurgeResult(tokens, keys, deliveries);
        if (tokens + keys + deliveries > 0)
        {
            LogPurged(logger, tokens, keys, deliveries);
        }

        return result;
    }

    /// <summary>Runs one batched delete until a batch comes back short.</summary>
    private async Task<long> DeleteAsync(string sql, DateTimeOffset before, int batch, CancellationToken ct)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            deleted = await conn.ExecuteAsync(new CommandDefinition(sql, new { before, batch }, cancellationToken: ct));
            total += deleted;
        }
        while (deleted == batch);

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.IntervalMinutes), clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Tokens} access tokens, {Keys} idempotency keys and {Deliveries} webhook delivery records past their retention")]
    private static partial void LogPurged(ILogger logger, long tokens, long keys, long deliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The purge of expired rows failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
