namespace DataSpace.Parquet;

/// <summary>What a file's footer says.</summary>
public sealed record ParquetMetadata(
    int Version,
    long NumRows,
    string? CreatedBy,
    IReadOnlyDictionary<string, string?> KeyValueMetadata,
    IReadOnlyList<ParquetField> Schema,
    IReadOnlyList<ParquetRowGroup> RowGroups)
{
    /// <summary>The leaf columns, in file order.</summary>
    public IReadOnlyList<ParquetField> Columns => [.. Schema.Where(f => !f.IsGroup)];
}

/// <summary>
/// One schema element below the root. Path is dotted for nested fields ("a.b.c").
/// Type is our ParquetType when the leaf maps onto one, else null.
/// </summary>
public sealed record ParquetField(
    string Name,
    string Path,
    int Depth,
    bool IsGroup,
    string Repetition,
    string? PhysicalType,
    string? LogicalType,
    string? ConvertedType,
    int? TypeLength,
    int? Precision,
    int? Scale,
    ParquetType? Type);

public sealed record ParquetRowGroup(long NumRows, long TotalByteSize, IReadOnlyList<ParquetColumnChunk> Columns);

public sealed record ParquetColumnChunk(
    string Path,
    string PhysicalType,
    string Codec,
    IReadOnlyList<string> Encodings,
    long NumValues,
    long TotalCompressedSize,
    long TotalUncompressedSize,
    long DataPageOffset,
    long? DictionaryPageOffset,
    ParquetStatistics? Statistics);

/// <summary>Min and Max are decoded CLR values when the column type is known, else the raw bytes.</summary>
public sealed record ParquetStatistics(object? Min, object? Max, long? NullCount, long? DistinctCount);
