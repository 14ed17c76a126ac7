namespace DataSpace.Contracts.Versions;

/// <summary>Opens a draft version.</summary>
public sealed record CreateVersionRequest
{
    /// <summary>What changed in this version, at most 5,000 characters.</summary>
    public string? Notes { get; init; }
}

/// <summary>One file of a version's manifest.</summary>
/// <param name="Path">Relative path, NFC-normalised UTF-8, e.g. 2025/灯具出口明细.csv.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content; null in a preview whose policy hides hashes.</param>
/// <param name="ContentType">Media type served on download.</param>
/// <param name="Profile">Committed files: what the background profiler found (format, rows, columns); null in drafts.</param>
public sealed record VersionFile(string Path, long Size, string? Sha256, string ContentType, FileProfile? Profile = null);

/// <summary>A version of a dataset: a draft being filled, or committed and immutable.</summary>
public sealed record DatasetVersion
{
    public required string DatasetId { get; init; }
    public required int Number { get; init; }
    /// <summary>draft or committed.</summary>
    public required string Status { get; init; }
    public required string Notes { get; init; }
    /// <summary>
    /// SHA-256 (hex) of the manifest's canonical form, set on commit: one line per file in byte order of the UTF-8 path,
    /// each <c>{sha256 hex}  {size}  {path}\n</c> (two spaces between fields).
    /// </summary>
    public string? ManifestSha256 { get; init; }
    public required int FileCount { get; init; }
    public required long TotalBytes { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CommittedAt { get; init; }
    /// <summary>The manifest, ordered by path.</summary>
    public IReadOnlyList<VersionFile>? Files { get; init; }
    /// <summary>
    /// With the manifest: <c>full</c>, or <c>preview</c> when the caller may not read the files yet and sees what the
    /// dataset's preview policy shows (GET /v1/datasets/{id}/preview-policy).
    /// </summary>
    public string? View { get; init; }
}
