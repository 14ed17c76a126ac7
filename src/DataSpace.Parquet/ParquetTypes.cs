namespace DataSpace.Parquet;

/// <summary>Column types the writer produces and the reader maps files onto.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name Parquet column types, which share names with CLR types.")]
public enum ParquetType
{
    Boolean,
    Int32,
    Int64,
    Float,
    Double,
    String,
    Binary,
    Date,
    TimestampMillis,
    TimestampMicros,
    Decimal,
}

public enum ParquetCodec
{
    Uncompressed,
    Snappy,
    Gzip,
}

/// <summary>
/// A flat column. Decimal columns are INT64 backed, so Precision is 1..18 and Scale 0..Precision. Timestamp columns are
/// UTC instants (isAdjustedToUTC=true) unless <paramref name="AdjustedToUtc"/> is false: then they hold local wall-clock
/// times (isAdjustedToUTC=false, no legacy converted type, which would claim UTC), and a written value's clock time is
/// stored with its offset ignored.
/// </summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Nullable = true, int Precision = 18, int Scale = 0, bool AdjustedToUtc = true);

public sealed class ParquetWriterOptions
{
    public ParquetCodec Codec { get; init; } = ParquetCodec.Snappy;

    /// <summary>A row group ends after this many rows, or earlier when it buffers RowGroupBytes.</summary>
    public int RowGroupRows { get; init; } = 1_000_000;

    /// <summary>Memory bound: one row group of encoded pages is held before it is written out.</summary>
    public long RowGroupBytes { get; init; } = 128L * 1024 * 1024;

    public int PageBytes { get; init; } = 1024 * 1024;

    /// <summary>Dictionary encoding; a column chunk falls back to PLAIN once its dictionary passes DictionaryPageBytes.</summary>
    public bool Dictionary { get; init; } = true;

    public int DictionaryPageBytes { get; init; } = 1024 * 1024;

    public IReadOnlyDictionary<string, string>? KeyValueMetadata { get; init; }
}

/// <summary>The file is corrupt, truncated, or declares sizes it does not hold.</summary>
public class ParquetFormatException : Exception
{
    public ParquetFormatException()
    {
    }

    public ParquetFormatException(string message)
        : base(message)
    {
    }

    public ParquetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The file is valid Parquet but uses a feature this library does not read; the message names it.</summary>
public sealed class ParquetNotSupportedException : Exception
{
    public ParquetNotSupportedException()
    {
    }

    public ParquetNotSupportedException(string feature)
        : base($"Parquet feature not supported: {feature}")
    {
        Feature = feature;
    }

    public ParquetNotSupportedException(string feature, Exception innerException)
        : base($"Parquet feature not supported: {feature}", innerException)
    {
        Feature = feature;
    }

    public string? Feature { get; }
}

/// <summary>
/// Bounds on what reading a footer (or a page header) may cost, checked before anything is allocated: a hostile file
/// fails with <see cref="ParquetLimitExceededException"/> instead of growing memory with its own size.
/// </summary>
public sealed record ParquetReadLimits
{
    /// <summary>The defaults: generous for real files (tens of thousands of column chunks), small beside a host's memory.</summary>
    public static ParquetReadLimits Default { get; } = new();

    /// <summary>Largest footer read into memory, checked against the file's declared footer length before reading it.</summary>
    public int MaxFooterBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Estimated bytes of decoded Thrift objects (structs, lists, boxed values, binaries) one footer may become.</summary>
    public long MaxMetadataBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Longest single binary or string value (a statistic, a key-value entry, a name).</summary>
    public int MaxBinaryBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Schema elements (groups and leaves) a footer may declare.</summary>
    public int MaxSchemaElements { get; init; } = 100_000;

    /// <summary>Row groups a footer may declare.</summary>
    public int MaxRowGroups { get; init; } = 1_000_000;
}

/// <summary>The file may be valid, but reading it would cost more than the <see cref="ParquetReadLimits"/> allow; the message names the limit.</summary>
public sealed class ParquetLimitExceededException : ParquetFormatException
{
    public ParquetLimitExceededException()
    {
    }

    public ParquetLimitExceededException(string message)
        : base(message)
    {
    }

    public ParquetLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
