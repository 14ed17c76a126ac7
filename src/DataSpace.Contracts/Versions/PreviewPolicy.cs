namespace DataSpace.Contracts.Versions;

/// <summary>
/// What an organisation that may not read a dataset's files yet (a prospective buyer, an authority without consent) sees
/// of its version manifests and file profiles. Always shown: paths, sizes, formats, row, column and null counts, column
/// names and types. The owner, entitled consumers, consented authorities and everyone for open datasets see everything.
/// </summary>
public sealed record PreviewPolicy
{
    /// <summary>Whether value statistics are shown: per-column minimum and maximum, and string lengths (default false).</summary>
    public required bool Statistics { get; init; }

    /// <summary>Whether content hashes are shown: each file's SHA-256 and its Parquet rendition's (default false).</summary>
    public required bool Hashes { get; init; }

    /// <summary>When the owner last set the policy; null while the default applies.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>The owner's preview policy for a dataset; both members are required.</summary>
public sealed record SetPreviewPolicyRequest
{
    /// <summary>Show per-column minimum, maximum and string lengths to everyone who sees the dataset.</summary>
    public bool? Statistics { get; init; }

    /// <summary>Show file and rendition SHA-256 to everyone who sees the dataset.</summary>
    public bool? Hashes { get; init; }
}
