using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Features.Integrity;

/// <summary>The background scrub of stored content (section Integrity).</summary>
internal sealed class IntegrityOptions
{
    public const string Section = "Integrity";

    /// <summary>Whether this instance scrubs (Integrity__Scrub). Every instance may: blobs are claimed, never read twice at once.</summary>
    public bool Scrub { get; set; } = true;

    /// <summary>Seconds between scrub batches when there is nothing due, and after each batch (Integrity__IntervalSeconds).</summary>
    [Range(1, 86_400, ErrorMessage = "Set Integrity:IntervalSeconds between 1 and 86400.")]
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Days after which verified content is read and hashed again (Integrity__ReverifyAfterDays).</summary>
    [Range(1, 3_650, ErrorMessage = "Set Integrity:ReverifyAfterDays between 1 and 3650.")]
    public int ReverifyAfterDays { get; set; } = 30;

    /// <summary>
    /// Bytes one batch reads at most (Integrity__BatchBytes, default 1 GiB); with the interval this bounds the load the scrub puts
    /// on the store: at the defaults at most about 17 MB/s averaged, one blob at a time.
    /// </summary>
    [Range(1 << 20, 1L << 40, ErrorMessage = "Set Integrity:BatchBytes between 1 MiB and 1 TiB.")]
    public long BatchBytes { get; set; } = 1L << 30;
}
