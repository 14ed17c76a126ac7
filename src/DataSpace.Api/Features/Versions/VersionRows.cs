using System.Text.Json;
using DataSpace.Api.Database;
using DataSpace.Api.Http;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Versions;

[FeatureService]
internal sealed record VersionRow(Guid DatasetId, int Number, string Status, string Notes, string? ManifestSha256, int FileCount, long TotalBytes, DateTime CreatedAt, DateTime? CommittedAt)
{
    public DatasetVersion ToContract(IReadOnlyList<VersionFile>? files = null) => new()
    {
        DatasetId = DatasetId.ToString(),
        Number = Number,
        Status = Status,
        Notes = Notes,
        ManifestSha256 = ManifestSha256,
        FileCount = FileCount,
        TotalBytes = TotalBytes,
        CreatedAt = Timestamps.Utc(CreatedAt),
        CommittedAt = CommittedAt is { } c ? Timestamps.Utc(c) : null,
        Files = files,
    };
}

/// <summary>A manifest entry with its content's profile (all profile members null while no profile is queued: drafts).</summary>
[FeatureService]
internal sealed record FileRow(
    string Path, long Size, byte[] Sha256, string ContentType, string BlobKey, string? ProfileStatus, string? Format, string? Delimiter, bool? Header,
    long? RowCount, int? ColumnCount, string? Columns, string? Notes, string? Reason, DateTime? ProfiledAt, long? DurationMs,
    string? RenditionStatus, string? RenditionKey, long? RenditionSize, byte[]? RenditionSha256, string? RenditionReason, string? Damage, byte[]? StoreChecksum)
{
    public VersionFile ToContract() => new(Path, Size, Convert.ToHexStringLower(Sha256), ContentType, ProfileStatus is null ? null : new FileProfile
    {
        Status = ProfileStatus,
        Format = Format,
        Delimiter = Delimiter,
        Header = Header,
        RowCount = RowCount,
        ColumnCount = ColumnCount,
        Columns = Columns is null ? null : JsonSerializer.Deserialize<List<ColumnProfile>>(Columns, Json.Options),
        Notes = Notes is null ? null : JsonSerializer.Deserialize<List<string>>(Notes, Json.Options),
        Reason = Reason,
        ProfiledAt = ProfiledAt is { } at ? Timestamps.Utc(at) : null,
        DurationMs = DurationMs,
        ParquetRendition = RenditionStatus is null ? null : new ParquetRendition
        {
            Status = RenditionStatus,
            Size = RenditionSize,
            Sha256 = RenditionSha256 is null ? null : Convert.ToHexStringLower(RenditionSha256),
            Reason = RenditionReason,
        },
    });
}
