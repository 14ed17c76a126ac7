using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>Outbound webhook delivery (section Webhooks).</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether this replica runs the dispatcher (Webhooks__Enabled). Changes queue deliveries either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Allows http:// endpoint URLs (development and tests only): production sends only over https.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Allows endpoints on loopback, private, link-local and other non-public addresses (development and tests only);
    /// otherwise such addresses are refused at registration and, after DNS resolution, at connect time.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often the dispatcher looks for due deliveries (Webhooks__PollMilliseconds).</summary>
    [Range(10, 600_000, ErrorMessage = "Set Webhooks:PollMilliseconds between 10 and 600000.")]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>Deliveries sent at once by one replica.</summary>
    [Range(1, 64, ErrorMessage = "Set Webhooks:Concurrency between 1 and 64.")]
    public int Concurrency { get; set; } = 2;

    /// <summary>Seconds a receiver has to answer (connect included) before the attempt counts as failed.</summary>
    [Range(1, 300, ErrorMessage = "Set Webhooks:TimeoutSeconds between 1 and 300.")]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>Attempts before a delivery is given up as failed (it can still be redelivered by hand).</summary>
    [Range(1, 50, ErrorMessage = "Set Webhooks:MaxAttempts between 1 and 50.")]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay after the first failure; each further failure doubles it, up to <see cref="MaxBackoffSeconds"/>.</summary>
    [Range(1, 86_400, ErrorMessage = "Set Webhooks:FirstBackoffSeconds between 1 and 86400.")]
    public int FirstBackoffSeconds { get; set; } = 10;

    [Range(1, 604_800, ErrorMessage = "Set Webhooks:MaxBackoffSeconds between 1 and 604800.")]
    public int MaxBackoffSeconds { get; set; } = 6 * 3600;

    /// <summary>How long the previous secret keeps signing after a rotation.</summary>
    [Range(0, 604_800, ErrorMessage = "Set Webhooks:RotationOverlapSeconds between 0 and 604800.")]
    public int RotationOverlapSeconds { get; set; } = 24 * 3600;

    /// <summary>Bytes of a receiver's answer read and kept in the delivery log; the rest is not read.</summary>
    [Range(0, 65_536, ErrorMessage = "Set Webhooks:MaxResponseBytes between 0 and 65536.")]
    public int MaxResponseBytes { get; set; } = 1024;

    /// <summary>The delay before attempt <paramref name="failures"/> + 1, after <paramref name="failures"/> failures.</summary>
    public TimeSpan BackoffAfter(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, FirstBackoffSeconds * Math.Pow(2, Math.Min(failures - 1, 30))));
}
