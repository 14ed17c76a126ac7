namespace DataSpace.Contracts.Versions;

/// <summary>
/// What the background profiler found in a committed file. Profiles are keyed by content (SHA-256), so identical files in
/// different datasets share one profile. A failed profile never affects the file or its version: it only says why the
/// content could not be read as a table.
/// </summary>
public sealed record FileProfile
{
    /// <summary>pending (not profiled yet), done or failed.</summary>
    public required string Status { get; init; }

    /// <summary>csv, tsv, jsonl, parquet, binary or empty; null while pending or when the profile failed before the format was known.</summary>
    public string? Format { get; init; }

    /// <summary>The field delimiter of csv and tsv files: one of <c>,</c> <c>\t</c> <c>;</c> <c>|</c>.</summary>
    public string? Delimiter { get; init; }

    /// <summary>csv/tsv: whether the first record was taken as the header (otherwise columns are named column_1, column_2, …).</summary>
    public bool? Header { get; init; }

    /// <summary>Data rows (csv/tsv: records after the header, blank lines skipped; jsonl: non-blank lines; parquet: rows).</summary>
    public long? RowCount { get; init; }

    /// <summary>How many columns the file has; <see cref="Columns"/> describes at most the first 1,024 of them.</summary>
    public int? ColumnCount { get; init; }

    /// <summary>The columns in file order (jsonl: top-level keys in order of first appearance).</summary>
    public IReadOnlyList<ColumnProfile>? Columns { get; init; }

    /// <summary>Why the profile failed (status failed), e.g. malformed CSV, invalid UTF-8, a line that is not a JSON object.</summary>
    public string? Reason { get; init; }

    /// <summary>Things a reader should know about a done profile, e.g. tolerated rows with a different number of fields.</summary>
    public IReadOnlyList<string>? Notes { get; init; }

    /// <summary>When the profile was finished.</summary>
    public DateTimeOffset? ProfiledAt { get; init; }

    /// <summary>How long profiling the content took, in milliseconds.</summary>
    public long? DurationMs { get; init; }

    /// <summary>
    /// The Parquet rendition of csv, tsv and jsonl files, served by the download endpoint with <c>?format=parquet</c>
    /// (Parquet files are served as they are). Null while the profile is pending.
    /// </summary>
    public ParquetRendition? ParquetRendition { get; init; }
}

/// <summary>A file's Parquet rendition (snappy), typed by the profile's column types.</summary>
public sealed record ParquetRendition
{
    /// <summary>pending, done, failed or unavailable (not a table, the profile failed, too many columns).</summary>
    public required string Status { get; init; }

    /// <summary>Bytes of the rendition (status done).</summary>
    public long? Size { get; init; }

    /// <summary>Lower-case hex SHA-256 of the rendition (status done): its ETag when downloaded.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Why there is no rendition (failed, unavailable).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// One column of a profiled file. Nulls are empty fields (csv/tsv), JSON null or a missing key (jsonl).
/// Minimum and maximum are given for integer, decimal, number, date and timestamp columns in a canonical text form
/// (invariant numbers; dates yyyy-MM-dd; timestamps ISO 8601, in UTC with Z when every value carried an offset); for
/// string columns the shortest and longest value are given as lengths in characters (UTF-16 code units) instead.
/// </summary>
public sealed record ColumnProfile
{
    public required string Name { get; init; }

    /// <summary>integer, decimal, number (with an exponent or beyond decimal range), boolean, date, timestamp, string, or json (jsonl objects and arrays).</summary>
    public required string Type { get; init; }

    /// <summary>Rows where the column is null.</summary>
    public required long NullCount { get; init; }

    /// <summary>null_count / row_count, rounded to 6 decimals; 0 for a file without rows.</summary>
    public required double NullRatio { get; init; }

    public string? Min { get; init; }

    public string? Max { get; init; }

    /// <summary>String columns: the shortest non-null value's length in characters.</summary>
    public long? MinLength { get; init; }

    /// <summary>String columns: the longest non-null value's length in characters.</summary>
    public long? MaxLength { get; init; }

    /// <summary>Decimal columns: total significant digits needed (integer digits + scale), at most 38.</summary>
    public int? Precision { get; init; }

    /// <summary>Decimal columns: the most digits after the decimal point.</summary>
    public int? Scale { get; init; }
}
