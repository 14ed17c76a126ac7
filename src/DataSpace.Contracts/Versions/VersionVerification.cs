namespace DataSpace.Contracts.Versions;

/// <summary>
/// What reading a version's stored bytes back found: each file's content hashed again and compared with the manifest.
/// </summary>
public sealed record VersionVerification
{
    public required string DatasetId { get; init; }
    public required int Number { get; init; }
    /// <summary>When the bytes were read and hashed (UTC).</summary>
    public required DateTimeOffset VerifiedAt { get; init; }
    /// <summary>True when every file is intact.</summary>
    public required bool Intact { get; init; }
    /// <summary>One entry per file, in path order.</summary>
    public required IReadOnlyList<FileVerification> Files { get; init; }
}

/// <summary>One file's verification.</summary>
/// <param name="Path">The file's path in the manifest.</param>
/// <param name="Status">intact; missing (the store has no blob); size (the blob has another length); sha256 (same length, other bytes).</param>
/// <param name="Size">The size the manifest records.</param>
/// <param name="Sha256">The SHA-256 (hex) the manifest records.</param>
public sealed record FileVerification(string Path, string Status, long Size, string Sha256);
