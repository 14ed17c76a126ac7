using System.Buffers.Binary;
using System.Globalization;

namespace DataSpace.Parquet.Internal;

/// <summary>Numeric ids from parquet.thrift.</summary>
internal static class PhysicalType
{
    public const int Boolean = 0;
    public const int Int32 = 1;
    public const int Int64 = 2;
    public const int Int96 = 3;
    public const int Float = 4;
    public const int Double = 5;
    public const int ByteArray = 6;
    public const int FixedLenByteArray = 7;

    public static string Name(int t) => t switch
    {
        0 => "BOOLEAN",
        1 => "INT32",
        2 => "INT64",
        3 => "INT96",
        4 => "FLOAT",
        5 => "DOUBLE",
        6 => "BYTE_ARRAY",
        7 => "FIXED_LEN_BYTE_ARRAY",
        _ => $"type {t}",
    };
}

internal static class ConvertedType
{
    public const int Utf8 = 0;
    public const int Enum = 4;
    public const int Decimal = 5;
    public const int Date = 6;
    public const int TimeMillis = 7;
    public const int TimeMicros = 8;
    public const int TimestampMillis = 9;
    public const int TimestampMicros = 10;
    public const int UInt8 = 11;
    public const int UInt16 = 12;
    public const int UInt32 = 13;
    public const int UInt64 = 14;
    public const int Json = 19;

    private static readonly string[] Names =
    [
        "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
        "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
        "INT_32", "INT_64", "JSON", "BSON", "INTERVAL",
    ];

    public static string Name(int c) => c >= 0 && c < Names.Length ? Names[c] : $"converted {c}";
}

internal static class ParquetEncoding
{
    public const int Plain = 0;
    public const int PlainDictionary = 2;
    public const int Rle = 3;
    public const int BitPacked = 4;
    public const int RleDictionary = 8;

    public static string Name(int e) => e switch
    {
        0 => "PLAIN",
        1 => "GROUP_VAR_INT",
        2 => "PLAIN_DICTIONARY",
        3 => "RLE",
        4 => "BIT_PACKED",
        5 => "DELTA_BINARY_PACKED",
        6 => "DELTA_LENGTH_BYTE_ARRAY",
        7 => "DELTA_BYTE_ARRAY",
        8 => "RLE_DICTIONARY",
        9 => "BYTE_STREAM_SPLIT",
        _ => $"encoding {e}",
    };
}

internal static class PageType
{
    public const int DataPage = 0;
    public const int IndexPage = 1;
    public const int DictionaryPage = 2;
    public const int DataPageV2 = 3;
}

/// <summary>How a leaf's stored values become CLR values.</summary>
internal enum ValueKind
{
    Boolean,
    Int32,
    Int64,
    UInt32,
    UInt64,
    Float,
    Double,
    String,
    Binary,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    TimestampNanos,
    Int96,
    DecimalInt32,
    DecimalInt64,
    DecimalBytes,
}

internal sealed class SchemaNode
{
    public required string Name { get; init; }
    public required string Path { get; init; }
    public required int Depth { get; init; }
    public int? Type { get; init; }
    public int? TypeLength { get; init; }
    public int? Repetition { get; init; }
    public int NumChildren { get; init; }
    public int? Converted { get; init; }
    public int? Scale { get; init; }
    public int? Precision { get; init; }
    public TStruct? Logical { get; init; }
    public bool IsGroup => NumChildren > 0 || Type is null;
    public bool ParentRepeatedOrNested { get; init; }
}

/// <summary>A leaf column as the reader sees it.</summary>
internal sealed class ColumnDescriptor
{
    public required SchemaNode Node { get; init; }
    public required ValueKind Kind { get; init; }
    public required ParquetType? Type { get; init; }
    public int Physical => Node.Type ?? -1;
    public bool Optional => Node.Repetition == 1;
    public int Scale => Node.Scale ?? Node.Logical?.Struct(5)?.I32(1) ?? 0;
    public bool Flat => Node.Depth == 1 && Node.Repetition != 2;
}

internal sealed class Footer
{
    public const int MaxSchemaDepth = 64;

    public required TStruct File { get; init; }
    public required long FileLength { get; init; }
    public required long FooterStart { get; init; }
    public required List<SchemaNode> Nodes { get; init; }
    public required List<ColumnDescriptor> Leaves { get; init; }
    public required ParquetReadLimits Limits { get; init; }

    public static Footer Read(Stream stream, ParquetReadLimits limits)
    {
        var length = stream.Length;
        if (length < 12)
        {
            throw new ParquetFormatException($"A Parquet file has at least 12 bytes; this one has {length}.");
        }

        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(head);
        stream.Position = length - 8;
        stream.ReadExactly(tail);
        if (tail[4..].SequenceEqual("PARE"u8))
        {
            throw new ParquetNotSupportedException("encryption (encrypted footer, PARE magic)");
        }

        if (!tail[4..].SequenceEqual("PAR1"u8) || !head.SequenceEqual("PAR1"u8))
        {
            throw new ParquetFormatException("Missing PAR1 magic: not a Parquet file, or truncated.");
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw new ParquetFormatException($"Footer length {footerLength} does not fit a file of {length} bytes.");
        }

        if (footerLength > limits.MaxFooterBytes)
        {
            throw new ParquetLimitExceededException($"Footer of {footerLength} bytes is above {limits.MaxFooterBytes} (limit MaxFooterBytes).");
        }

        var footerStart = length - 8 - footerLength;
        var bytes = new byte[footerLength];
        stream.Position = footerStart;
        stream.ReadExactly(bytes);
        var reader = new CompactReader(bytes, new ThriftBudget(limits.MaxMetadataBytes, limits.MaxBinaryBytes));
        var file = reader.ReadStruct("FileMetaData");
        if (file.Has(8))
        {
            throw new ParquetNotSupportedException("encryption (encrypted columns with plaintext footer)");
        }

        if (file.List(2) is { Count: var elements } && elements > limits.MaxSchemaElements)
        {
            throw new ParquetLimitExceededException($"The schema has {elements} elements, above {limits.MaxSchemaElements} (limit MaxSchemaElements).");
        }

        if (file.List(4) is { Count: var groups } && groups > limits.MaxRowGroups)
        {
            throw new ParquetLimitExceededException($"The footer declares {groups} row groups, above {limits.MaxRowGroups} (limit MaxRowGroups).");
        }

        var nodes = ParseSchema(file);
        var leaves = nodes.Where(n => !n.IsGroup).Select(Describe).ToList();
        return new Footer { File = file, FileLength = length, FooterStart = footerStart, Nodes = nodes, Leaves = leaves, Limits = limits };
    }

    private static List<SchemaNode> ParseSchema(TStruct file)
    {
        var elements = file.ListOf<TStruct>(2, required: true).ToList();
        if (elements.Count == 0)
        {
            throw new ParquetFormatException("The schema has no root element.");
        }

        var nodes = new List<SchemaNode>(elements.Count);
        var next = 1;
        var rootChildren = elements[0].I32(5) ?? 0;
        if (rootChildren < 0 || rootChildren > elements.Count - 1)
        {
            throw new ParquetFormatException($"Schema root declares {rootChildren} children.");
        }

        for (var c = 0; c < rootChildren; c++)
        {
            AddNode(elements, ref next, nodes, prefix: null, depth: 1, nestedParent: false);
        }

        if (next != elements.Count)
        {
            throw new ParquetFormatException("Schema elements do not form one tree.");
        }

        return nodes;
    }

    private static void AddNode(List<TStruct> elements, ref int next, List<SchemaNode> nodes, string? prefix, int depth, bool nestedParent)
    {
        if (depth > MaxSchemaDepth)
        {
            throw new ParquetFormatException($"Schema nested deeper than {MaxSchemaDepth}.");
        }

        if (next >= elements.Count)
        {
            throw new ParquetFormatException("Schema declares more children than it has elements.");
        }

        var e = elements[next++];
        var name = e.RequiredString(4);
        var children = e.I32(5) ?? 0;
        if (children < 0 || children > elements.Count - next)
        {
            throw new ParquetFormatException($"Schema element {name} declares {children} children.");
        }

        var path = prefix is null ? name : $"{prefix}.{name}";
        var node = new SchemaNode
        {
            Name = name,
            Path = path,
            Depth = depth,
            Type = e.I32(1),
            TypeLength = e.I32(2),
            Repetition = e.I32(3),
            NumChildren = children,
            Converted = e.I32(6),
            Scale = e.I32(7),
            Precision = e.I32(8),
            Logical = e.Struct(10),
            ParentRepeatedOrNested = nestedParent,
        };
        nodes.Add(node);
        for (var c = 0; c < children; c++)
        {
            AddNode(elements, ref next, nodes, path, depth + 1, nestedParent: true);
        }
    }

    private static ColumnDescriptor Describe(SchemaNode n)
    {
        var (kind, type) = Classify(n);
        return new ColumnDescriptor { Node = n, Kind = kind, Type = type };
    }

    private static (ValueKind Kind, ParquetType? Type) Classify(SchemaNode n)
    {
        var logical = n.Logical;
        var lid = logical?.FieldIds.FirstOrDefault() ?? (short)0;
        var converted = n.Converted;
        switch (n.Type)
        {
            case PhysicalType.Boolean:
                return (ValueKind.Boolean, ParquetType.Boolean);
            case PhysicalType.Int32:
                if (lid == 6 || converted == ConvertedType.Date)
                {
                    return (ValueKind.Date, ParquetType.Date);
                }

                if (lid == 5 || converted == ConvertedType.Decimal)
                {
                    return (ValueKind.DecimalInt32, ParquetType.Decimal);
                }

                if (lid == 7 || converted == ConvertedType.TimeMillis)
                {
                    return (ValueKind.TimeMillis, null);
                }

                if ((lid == 10 && logical!.Struct(10)?.Bool(2) == false) || converted == ConvertedType.UInt32)
                {
                    return (ValueKind.UInt32, null);
                }

                return (ValueKind.Int32, ParquetType.Int32);
            case PhysicalType.Int64:
                if (lid == 8)
                {
                    var unit = logical!.Struct(8)?.Struct(2)?.FieldIds.FirstOrDefault() ?? 0;
                    return unit switch
                    {
                        1 => (ValueKind.TimestampMillis, ParquetType.TimestampMillis),
                        2 => (ValueKind.TimestampMicros, ParquetType.TimestampMicros),
                        3 => (ValueKind.TimestampNanos, null),
                        _ => throw new ParquetFormatException($"Column {n.Path}: timestamp without a unit."),
                    };
                }

                if (converted == ConvertedType.TimestampMillis)
                {
                    return (ValueKind.TimestampMillis, ParquetType.TimestampMillis);
                }

                if (converted == ConvertedType.TimestampMicros)
                {
                    return (ValueKind.TimestampMicros, ParquetType.TimestampMicros);
                }

                if (lid == 5 || converted == ConvertedType.Decimal)
                {
                    return (ValueKind.DecimalInt64, ParquetType.Decimal);
                }

                if (lid == 7 || converted == ConvertedType.TimeMicros)
                {
                    return (ValueKind.TimeMicros, null);
                }

                if ((lid == 10 && logical!.Struct(10)?.Bool(2) == false) || converted == ConvertedType.UInt64)
                {
                    return (ValueKind.UInt64, null);
                }

                return (ValueKind.Int64, ParquetType.Int64);
            case PhysicalType.Int96:
                return (ValueKind.Int96, null);
            case PhysicalType.Float:
                return (ValueKind.Float, ParquetType.Float);
            case PhysicalType.Double:
                return (ValueKind.Double, ParquetType.Double);
            case PhysicalType.ByteArray:
            case PhysicalType.FixedLenByteArray:
                if (n.Type == PhysicalType.FixedLenByteArray && (n.TypeLength is null or < 0))
                {
                    throw new ParquetFormatException($"Column {n.Path}: FIXED_LEN_BYTE_ARRAY without a valid length.");
                }

                if (lid == 5 || converted == ConvertedType.Decimal)
                {
                    return (ValueKind.DecimalBytes, ParquetType.Decimal);
                }

                if (lid is 1 or 4 or 12 || converted is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json)
                {
                    return (ValueKind.String, ParquetType.String);
                }

                return (ValueKind.Binary, ParquetType.Binary);
            default:
                throw new ParquetFormatException($"Column {n.Path}: unknown physical type {n.Type}.");
        }
    }

    public ParquetMetadata ToPublic()
    {
        var kv = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var item in File.ListOf<TStruct>(5, required: false))
        {
            kv[item.RequiredString(1)] = item.String(2);
        }

        var leafTypes = Leaves.ToDictionary(l => l.Node, l => l.Type);
        var fields = Nodes.Select(n => new ParquetField(
            n.Name,
            n.Path,
            n.Depth,
            n.IsGroup,
            n.Repetition switch { 0 => "REQUIRED", 1 => "OPTIONAL", 2 => "REPEATED", null => "REQUIRED", var r => $"repetition {r}" },
            n.Type is int t ? PhysicalType.Name(t) : null,
            LogicalName(n.Logical),
            n.Converted is int c ? ConvertedType.Name(c) : null,
            n.TypeLength,
            n.Precision ?? n.Logical?.Struct(5)?.I32(2),
            n.Scale ?? n.Logical?.Struct(5)?.I32(1),
            n.IsGroup ? null : leafTypes.GetValueOrDefault(n))).ToList();

        var byPath = new Dictionary<string, ColumnDescriptor>(StringComparer.Ordinal);
        foreach (var leaf in Leaves)
        {
            byPath.TryAdd(leaf.Node.Path, leaf);
        }

        var groups = new List<ParquetRowGroup>();
        foreach (var rg in File.ListOf<TStruct>(4, required: true))
        {
            var chunks = new List<ParquetColumnChunk>();
            foreach (var cc in rg.ListOf<TStruct>(1, required: true))
            {
                var md = cc.Struct(3) ?? throw new ParquetFormatException("Column chunk without metadata.");
                var path = string.Join('.', md.ListOf<byte[]>(3, required: true).Select(b => System.Text.Encoding.UTF8.GetString(b)));
                byPath.TryGetValue(path, out var leaf);
                var stats = md.Struct(12);
                chunks.Add(new ParquetColumnChunk(
                    path,
                    PhysicalType.Name(md.RequiredI32(1)),
                    Codecs.Name(md.RequiredI32(4)),
                    [.. md.ListOf<int>(2, required: true).Select(ParquetEncoding.Name)],
                    md.RequiredI64(5),
                    md.RequiredI64(7),
                    md.RequiredI64(6),
                    md.RequiredI64(9),
                    md.I64(11),
                    stats is null ? null : Statistics(stats, leaf)));
            }

            groups.Add(new ParquetRowGroup(rg.RequiredI64(3), rg.RequiredI64(2), chunks));
        }

        return new ParquetMetadata(File.RequiredI32(1), File.RequiredI64(3), File.String(6), kv, fields, groups);
    }

    private static ParquetStatistics Statistics(TStruct s, ColumnDescriptor? leaf)
    {
        var min = s.Binary(6);
        var max = s.Binary(5);

        // The deprecated min/max fields used signed byte comparison for binary columns: trust them only for numbers.
        if (min is null && max is null && leaf is not null && leaf.Physical is not (PhysicalType.ByteArray or PhysicalType.FixedLenByteArray))
        {
            min = s.Binary(2);
            max = s.Binary(1);
        }

        return new ParquetStatistics(DecodeStat(min, leaf), DecodeStat(max, leaf), s.I64(3), s.I64(4));
    }

    private static object? DecodeStat(byte[]? raw, ColumnDescriptor? leaf)
    {
        if (raw is null)
        {
            return null;
        }

        if (leaf is null)
        {
            return raw;
        }

        try
        {
            return leaf.Physical switch
            {
                PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => Values.FromBytes(leaf, raw),
                PhysicalType.Boolean when raw.Length >= 1 => raw[0] != 0,
                PhysicalType.Int32 when raw.Length == 4 => Values.FromInt32(leaf, BinaryPrimitives.ReadInt32LittleEndian(raw)),
                PhysicalType.Int64 when raw.Length == 8 => Values.FromInt64(leaf, BinaryPrimitives.ReadInt64LittleEndian(raw)),
                PhysicalType.Float when raw.Length == 4 => BinaryPrimitives.ReadSingleLittleEndian(raw),
                PhysicalType.Double when raw.Length == 8 => BinaryPrimitives.ReadDoubleLittleEndian(raw),
                PhysicalType.Int96 when raw.Length == 12 => Values.FromInt96(raw),
                _ => raw,
            };
        }
        catch (Exception e) when (e is ParquetNotSupportedException or ParquetFormatException)
        {
            // Statistics are advisory: an undecodable bound is shown as its raw bytes.
            return raw;
        }
    }

    private static string? LogicalName(TStruct? logical)
    {
        if (logical is null)
        {
            return null;
        }

        var id = logical.FieldIds.FirstOrDefault();
        var inner = logical.Struct(id);
        return id switch
        {
            1 => "STRING",
            2 => "MAP",
            3 => "LIST",
            4 => "ENUM",
            5 => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({inner?.I32(2)},{inner?.I32(1)})"),
            6 => "DATE",
            7 => $"TIME({UnitName(inner?.Struct(2))},UTC={Lower(inner?.Bool(1))})",
            8 => $"TIMESTAMP({UnitName(inner?.Struct(2))},UTC={Lower(inner?.Bool(1))})",
            10 => string.Create(CultureInfo.InvariantCulture, $"INT({inner?.SByte(1)},{(inner?.Bool(2) == false ? "unsigned" : "signed")})"),
            11 => "UNKNOWN",
            12 => "JSON",
            13 => "BSON",
            14 => "UUID",
            15 => "FLOAT16",
            _ => string.Create(CultureInfo.InvariantCulture, $"logical {id}"),
        };
    }

    private static string Lower(bool? b) => b switch { true => "true", false => "false", null => "?" };

    private static string UnitName(TStruct? unit) => unit?.FieldIds.FirstOrDefault() switch
    {
        1 => "MILLIS",
        2 => "MICROS",
        3 => "NANOS",
        _ => "?",
    };
}
