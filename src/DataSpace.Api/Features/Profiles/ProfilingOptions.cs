using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Features.Profiles;

/// <summary>The background profiler of committed files (section Profiling).</summary>
internal sealed class ProfilingOptions
{
    public const string Section = "Profiling";

    /// <summary>Whether this replica runs the profiling worker (Profiling__Enabled). Commits queue work either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the worker looks for queued work besides being woken by commits (Profiling__PollSeconds).</summary>
    [Range(1, 86_400, ErrorMessage = "Set Profiling:PollSeconds between 1 and 86400.")]
    public int PollSeconds { get; set; } = 30;

    /// <summary>How long a claim lasts before another replica may take the work over (a crashed worker's claim expires).</summary>
    [Range(1, 86_400, ErrorMessage = "Set Profiling:LeaseSeconds between 1 and 86400.")]
    public int LeaseSeconds { get; set; } = 3600;

    /// <summary>Claims after which content is given up as failed (it crashed or outlived its lease every time).</summary>
    [Range(1, 100, ErrorMessage = "Set Profiling:MaxAttempts between 1 and 100.")]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Columns described per file; further columns are counted only.</summary>
    [Range(1, 100_000, ErrorMessage = "Set Profiling:MaxColumns between 1 and 100000.")]
    public int MaxColumns { get; set; } = 1024;

    /// <summary>Bytes of a field kept for type inference; a longer field is a string (its full length is still counted).</summary>
    [Range(64, 16 * 1024 * 1024, ErrorMessage = "Set Profiling:MaxFieldBytes between 64 and 16777216.")]
    public int MaxFieldBytes { get; set; } = 64 * 1024;

    /// <summary>Longest csv record or jsonl line; a longer one fails the profile (usually an unclosed quote).</summary>
    [Range(1024, 1024 * 1024 * 1024, ErrorMessage = "Set Profiling:MaxRecordBytes between 1024 and 1073741824.")]
    public int MaxRecordBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Rows per thousand that may have a different number of fields than the header before the profile fails.</summary>
    [Range(0, 1000, ErrorMessage = "Set Profiling:RaggedRowsPerMille between 0 and 1000.")]
    public int RaggedRowsPerMille { get; set; } = 10;

    /// <summary>Largest Parquet footer read for a profile, checked before it is read; a larger one fails the profile.</summary>
    [Range(1024, 1024 * 1024 * 1024, ErrorMessage = "Set Profiling:MaxParquetFooterBytes between 1024 and 1073741824.")]
    public int MaxParquetFooterBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Estimated memory the decoded footer may take (structs, lists, values); a footer that needs more fails the profile.</summary>
    [Range(1024 * 1024, 16L * 1024 * 1024 * 1024, ErrorMessage = "Set Profiling:MaxParquetMetadataBytes between 1048576 and 17179869184.")]
    public long MaxParquetMetadataBytes { get; set; } = 128L * 1024 * 1024;
}
