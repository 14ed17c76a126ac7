using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Features.Versions;

internal sealed class DatasetFileOptions
{
    public const string Section = "Files";

    /// <summary>Largest file a version may hold (Files__MaxFileBytes, default 10 GiB); larger uploads get 413.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Set Files:MaxFileBytes to a positive number of bytes.")]
    public long MaxFileBytes { get; set; } = 10L * 1024 * 1024 * 1024;
}
