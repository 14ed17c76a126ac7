using System.Text;
using Dapper;
using DataSpace.Contracts.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>
/// Sends due outbox deliveries. Each worker claims one row with <c>for update skip locked</c> and keeps the row locked in
/// its transaction while it sends, then records the attempt and the outcome in the same transaction: a host that stops or
/// dies mid-delivery rolls back, the row stays pending and the next worker (this replica's or another's) sends it again
/// with the same <c>webhook-id</c> — at least once, deduplicable by the receiver. Failures back off exponentially.
/// </summary>
internal sealed partial class WebhookDispatcher(
    NpgsqlDataSource db, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private sealed record Claim(
        Guid Id, string EventId, int Attempts, int Failures, bool Manual, string Url, string Secret, string? PreviousSecret,
        DateTime? PreviousSecretUntil, string Payload);

    private sealed record Outcome(int? StatusCode, string? Error, string? Excerpt)
    {
        public bool Delivered => StatusCode is >= 200 and < 300;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        using var http = SafeEndpointHttp.Create(o);
        await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(_ => RunWorkerAsync(http, o, stoppingToken)));
    }

    private async Task RunWorkerAsync(HttpClient http, WebhookOptions o, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await DeliverOneAsync(http, o, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // the claim rolls back with its transaction: the delivery stays pending for the next host
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogOutboxUnavailable(logger, e);
            }

            if (!worked)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(o.PollMilliseconds), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims, sends and records one due delivery; false when none was due.</summary>
    private async Task<bool> DeliverOneAsync(HttpClient http, WebhookOptions o, CancellationToken stoppingToken)
    {
        await using var conn = await db.OpenConnectionAsync(stoppingToken);
        await using var tx = await conn.BeginTransactionAsync(stoppingToken);
        var claim = await conn.QuerySingleOrDefaultAsync<Claim>(new CommandDefinition("""
            select o.id, o.event_id, o.attempts, o.failures, o.redeliver_requested_at is not null as manual, e.url, e.secret, e.previous_secret,
                   e.previous_secret_until, v.payload::text as payload
            from webhook_outbox o
            join webhook_endpoints e on e.id = o.endpoint_id
            join webhook_events v on v.id = o.event_id
            where o.status = 'pending' and o.next_attempt_at <= @now and e.disabled_at is null
            order by o.next_attempt_at
            limit 1
            for update of o skip locked
            """, new { now = clock.GetUtcNow() }, tx, cancellationToken: stoppingToken));
        if (claim is null)
        {
            await tx.CommitAsync(stoppingToken);
            return false;
        }

        var started = clock.GetUtcNow();
        var startedTicks = clock.GetTimestamp();
        var outcome = await SendAsync(http, o, claim, started, stoppingToken);
        var failures = outcome.Delivered ? 0 : claim.Failures + 1;
        var status = outcome.Delivered ? DeliveryStatuses.Delivered : failures >= o.MaxAttempts ? DeliveryStatuses.Failed : DeliveryStatuses.Pending;
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into webhook_attempts (id, outbox_id, attempt, trigger, attempted_at, status_code, error, response_excerpt, duration_ms)
            values (@attemptId, @id, @attempt, @trigger, @started, @StatusCode, @Error, @Excerpt, @duration);
            update webhook_outbox set status = @status, attempts = @attempt, failures = @failures, last_attempt_at = @started,
                   last_status_code = @StatusCode, last_error = @Error, redeliver_requested_at = null,
                   delivered_at = case when @status = 'delivered' then @now else delivered_at end,
                   next_attempt_at = @next
            where id = @id
            """, new
        {
            attemptId = Guid.CreateVersion7(started), claim.Id, attempt = claim.Attempts + 1, trigger = claim.Manual ? DeliveryTriggers.Manual : DeliveryTriggers.Scheduled, started,
            outcome.StatusCode, outcome.Error, outcome.Excerpt, duration = (int)Math.Min(int.MaxValue, clock.GetElapsedTime(startedTicks).TotalMilliseconds),
            status, failures, now, next = status == DeliveryStatuses.Pending ? now + o.BackoffAfter(failures) : now,
        }, tx, cancellationToken: stoppingToken));
        await tx.CommitAsync(stoppingToken);
        return true;
    }

    private static async Task<Outcome> SendAsync(HttpClient http, WebhookOptions o, Claim claim, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var body = Encoding.UTF8.GetBytes(claim.Payload);
        var timestamp = now.ToUnixTimeSeconds();
        var secrets = new[] { claim.Secret, claim.PreviousSecretUntil is { } until && until > now.UtcDateTime ? claim.PreviousSecret : null };
        using var request = new HttpRequestMessage(HttpMethod.Post, claim.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", claim.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(secrets, claim.EventId, timestamp, body));
        request.Headers.UserAgent.ParseAdd("DataSpace-Webhooks/1");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken);
            return new Outcome((int)response.StatusCode, null, await ReadExcerptAsync(response, o.MaxResponseBytes, stoppingToken));
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Outcome(null, $"No answer within {o.TimeoutSeconds} s.", null);
        }
        catch (HttpRequestException e) when (e.InnerException is BlockedAddressException blocked)
        {
            return new Outcome(null, blocked.Message, null);
        }
        catch (HttpRequestException e)
        {
            return new Outcome(null, e.HttpRequestError + ": " + e.Message, null);
        }
    }

    /// <summary>At most <paramref name="max"/> bytes of the answer, as text; the rest is never read.</summary>
    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        if (max == 0)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[max];
        var read = 0;
        int n;
        while (read < max && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }

        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The webhook outbox is unavailable; retrying at the next poll")]
    private static partial void LogOutboxUnavailable(ILogger logger, Exception e);
}
