using System.Buffers.Binary;

namespace DataSpace.Parquet.Internal;

/// <summary>
/// Reads one flat column chunk page by page. Page headers are scanned first so declared counts are cross-checked
/// before any value buffer is allocated; then one decoded page at a time is held.
/// </summary>
internal sealed class ColumnReader
{
    public const int MaxPageValues = 1 << 22;

    private readonly ColumnDescriptor _column;
    private readonly byte[] _chunk;
    private readonly int _codec;
    private readonly ThriftBudget _budget;
    private readonly List<(TStruct Header, int BodyStart, int BodyLength)> _pages = [];
    private object?[]? _dictionary;
    private int _nextPage;
    private object?[] _values = [];
    private int _valueCount;
    private int _valueIndex;

    public ColumnReader(Stream stream, Footer footer, ColumnDescriptor column, TStruct chunk, long rowGroupRows)
    {
        _column = column;
        if (chunk.Has(8) || chunk.Has(9))
        {
            throw new ParquetNotSupportedException("encryption (encrypted column chunk)");
        }

        if (chunk.String(1) is not null)
        {
            throw new ParquetNotSupportedException("column chunks in external files");
        }

        var md = chunk.Struct(3) ?? throw new ParquetFormatException($"Column {column.Node.Path}: chunk without metadata.");
        if (md.RequiredI32(1) != column.Physical)
        {
            throw new ParquetFormatException($"Column {column.Node.Path}: chunk type differs from the schema.");
        }

        _codec = md.RequiredI32(4);
        Codecs.EnsureSupported(_codec);
        var numValues = md.RequiredI64(5);
        if (numValues != rowGroupRows)
        {
            throw new ParquetFormatException($"Column {column.Node.Path}: {numValues} values in a row group of {rowGroupRows} rows.");
        }

        var dataOffset = md.RequiredI64(9);
        var dictOffset = md.I64(11);
        var start = dictOffset is long d && d > 0 && d < dataOffset ? d : dataOffset;
        var size = md.RequiredI64(7);
        if (start < 4 || size < 0 || size > footer.FooterStart - start)
        {
            throw new ParquetFormatException($"Column {column.Node.Path}: chunk at {start} of {size} bytes lies outside the data.");
        }

        _budget = new ThriftBudget(footer.Limits.MaxMetadataBytes, footer.Limits.MaxBinaryBytes);
        _chunk = new byte[size];
        stream.Position = start;
        stream.ReadExactly(_chunk);
        ScanPages(numValues);
    }

    private void ScanPages(long numValues)
    {
        long values = 0;
        var pos = 0;
        var sawData = false;
        while (values < numValues)
        {
            if (pos >= _chunk.Length)
            {
                throw new ParquetFormatException($"Column {_column.Node.Path}: chunk ends after {values} of {numValues} values.");
            }

            var reader = new CompactReader(_chunk.AsSpan(pos), _budget);
            var header = reader.ReadStruct("PageHeader");
            var bodyStart = pos + reader.Position;
            var compressed = header.RequiredI32(3);
            if (header.RequiredI32(2) < 0 || compressed < 0 || compressed > _chunk.Length - bodyStart)
            {
                throw new ParquetFormatException($"Column {_column.Node.Path}: page of {compressed} bytes with {_chunk.Length - bodyStart} left in the chunk.");
            }

            pos = bodyStart + compressed;
            switch (header.RequiredI32(1))
            {
                case PageType.DictionaryPage:
                    if (sawData || _pages.Count > 0)
                    {
                        throw new ParquetFormatException($"Column {_column.Node.Path}: dictionary page after other pages.");
                    }

                    break;
                case PageType.DataPage:
                case PageType.DataPageV2:
                    var n = (header.Struct(5) ?? header.Struct(8) ?? throw new ParquetFormatException("Data page without its header.")).RequiredI32(1);
                    if (n < 0 || n > MaxPageValues)
                    {
                        throw n < 0
                            ? new ParquetFormatException($"Column {_column.Node.Path}: page declares {n} values.")
                            : new ParquetNotSupportedException($"pages of more than {MaxPageValues} values");
                    }

                    values += n;
                    sawData = true;
                    break;
                default:
                    continue; // index pages and unknown page types carry no values
            }

            _pages.Add((header, bodyStart, compressed));
        }

        if (values != numValues)
        {
            throw new ParquetFormatException($"Column {_column.Node.Path}: pages hold {values} values, chunk declares {numValues}.");
        }
    }

    public object? Next()
    {
        while (_valueIndex >= _valueCount)
        {
            if (_nextPage >= _pages.Count)
            {
                throw new ParquetFormatException($"Column {_column.Node.Path}: ran out of values.");
            }

            DecodePage(_pages[_nextPage++]);
        }

        var v = _values[_valueIndex];
        _values[_valueIndex++] = null;
        return v is byte[] b && _column.Kind == ValueKind.Binary && _dictionary is not null ? b.ToArray() : v;
    }

    private void DecodePage((TStruct Header, int BodyStart, int BodyLength) page)
    {
        var header = page.Header;
        var raw = _chunk.AsSpan(page.BodyStart, page.BodyLength);
        var uncompressed = header.RequiredI32(2);
        switch (header.RequiredI32(1))
        {
            case PageType.DictionaryPage:
                var dh = header.Struct(7) ?? throw new ParquetFormatException("Dictionary page without its header.");
                var encoding = dh.RequiredI32(2);
                if (encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
                {
                    throw new ParquetNotSupportedException($"{ParquetEncoding.Name(encoding)} dictionary encoding");
                }

                var count = dh.RequiredI32(1);
                var body = Codecs.Decompress(_codec, raw, uncompressed);
                if (count < 0 || (long)count * MinPlainSize() > body.Length || count > MaxPageValues)
                {
                    throw new ParquetFormatException($"Column {_column.Node.Path}: dictionary of {count} entries in {body.Length} bytes.");
                }

                _dictionary = new object?[count];
                DecodePlain(body, _dictionary);
                _valueCount = 0;
                _valueIndex = 0;
                break;
            case PageType.DataPage:
                DecodeV1(header.Struct(5)!, raw, uncompressed);
                break;
            default:
                DecodeV2(header.Struct(8)!, raw, uncompressed);
                break;
        }
    }

    private void DecodeV1(TStruct dp, ReadOnlySpan<byte> raw, int uncompressed)
    {
        var n = dp.RequiredI32(1);
        var body = Codecs.Decompress(_codec, raw, uncompressed);
        var pos = 0;
        int[]? defs = null;
        if (_column.Optional)
        {
            var defEncoding = dp.RequiredI32(3);
            if (defEncoding != ParquetEncoding.Rle)
            {
                throw new ParquetNotSupportedException($"{ParquetEncoding.Name(defEncoding)} definition levels");
            }

            if (body.Length < 4)
            {
                throw new ParquetFormatException($"Column {_column.Node.Path}: page too short for its definition levels.");
            }

            var len = BinaryPrimitives.ReadInt32LittleEndian(body);
            if (len < 0 || len > body.Length - 4)
            {
                throw new ParquetFormatException($"Column {_column.Node.Path}: definition levels of {len} bytes in a page of {body.Length}.");
            }

            defs = new int[n];
            Rle.Decode(body.AsSpan(4, len), 1, defs);
            pos = 4 + len;
        }

        FillValues(n, defs, dp.RequiredI32(2), body.AsSpan(pos));
    }

    private void DecodeV2(TStruct dp, ReadOnlySpan<byte> raw, int uncompressed)
    {
        var n = dp.RequiredI32(1);
        var defLength = dp.RequiredI32(5);
        var repLength = dp.RequiredI32(6);
        if (defLength < 0 || repLength < 0 || (long)defLength + repLength > raw.Length || (long)defLength + repLength > uncompressed)
        {
            throw new ParquetFormatException($"Column {_column.Node.Path}: v2 page level lengths exceed the page.");
        }

        int[]? defs = null;
        if (_column.Optional)
        {
            defs = new int[n];
            Rle.Decode(raw.Slice(repLength, defLength), 1, defs);
        }

        var valuesRaw = raw[(repLength + defLength)..];
        var valuesSize = uncompressed - defLength - repLength;
        var compressed = dp.Bool(7) ?? true;
        var body = compressed ? Codecs.Decompress(_codec, valuesRaw, valuesSize) : Codecs.Decompress(Codecs.Uncompressed, valuesRaw, valuesSize);
        FillValues(n, defs, dp.RequiredI32(4), body);
    }

    private void FillValues(int n, int[]? defs, int encoding, ReadOnlySpan<byte> data)
    {
        var nonNull = n;
        if (defs is not null)
        {
            nonNull = 0;
            foreach (var d in defs)
            {
                nonNull += d;
            }
        }

        if (_values.Length < n)
        {
            _values = new object?[n];
        }

        var dense = defs is null ? _values.AsSpan(0, n) : new object?[nonNull];
        switch (encoding)
        {
            case ParquetEncoding.Plain:
                if ((long)nonNull * MinPlainSize() > data.Length)
                {
                    throw new ParquetFormatException($"Column {_column.Node.Path}: {nonNull} values cannot fit in {data.Length} bytes.");
                }

                DecodePlain(data, dense);
                break;
            case ParquetEncoding.PlainDictionary:
            case ParquetEncoding.RleDictionary:
                if (nonNull > 0)
                {
                    var dict = _dictionary ?? throw new ParquetFormatException($"Column {_column.Node.Path}: dictionary-encoded page without a dictionary.");
                    if (data.Length < 1)
                    {
                        throw new ParquetFormatException($"Column {_column.Node.Path}: dictionary page data is empty.");
                    }

                    var indices = new int[nonNull];
                    Rle.Decode(data[1..], data[0], indices);
                    for (var k = 0; k < indices.Length; k++)
                    {
                        var ix = indices[k];
                        dense[k] = (uint)ix < (uint)dict.Length ? dict[ix] : throw new ParquetFormatException($"Column {_column.Node.Path}: dictionary index {ix} of {dict.Length}.");
                    }
                }

                break;
            case ParquetEncoding.Rle when _column.Physical == PhysicalType.Boolean:
                if (data.Length < 4)
                {
                    throw new ParquetFormatException($"Column {_column.Node.Path}: RLE boolean page too short.");
                }

                var len = BinaryPrimitives.ReadInt32LittleEndian(data);
                if (len < 0 || len > data.Length - 4)
                {
                    throw new ParquetFormatException($"Column {_column.Node.Path}: RLE boolean length {len} exceeds the page.");
                }

                var bits = new int[nonNull];
                Rle.Decode(data.Slice(4, len), 1, bits);
                for (var k = 0; k < bits.Length; k++)
                {
                    dense[k] = bits[k] != 0;
                }

                break;
            default:
                throw new ParquetNotSupportedException($"{ParquetEncoding.Name(encoding)} encoding");
        }

        if (defs is not null)
        {
            var j = 0;
            for (var k = 0; k < n; k++)
            {
                _values[k] = defs[k] != 0 ? dense[j++] : null;
            }
        }

        _valueCount = n;
        _valueIndex = 0;
    }

    private int MinPlainSize() => _column.Physical switch
    {
        PhysicalType.Boolean => 0,
        PhysicalType.Int32 or PhysicalType.Float => 4,
        PhysicalType.Int64 or PhysicalType.Double => 8,
        PhysicalType.Int96 => 12,
        PhysicalType.ByteArray => 4,
        _ => _column.Node.TypeLength ?? 0,
    };

    private void DecodePlain(ReadOnlySpan<byte> data, Span<object?> output)
    {
        var c = _column;
        var pos = 0;
        switch (c.Physical)
        {
            case PhysicalType.Boolean:
                if ((output.Length + 7) / 8 > data.Length)
                {
                    throw new ParquetFormatException($"Column {c.Node.Path}: boolean values run past the page.");
                }

                for (var k = 0; k < output.Length; k++)
                {
                    output[k] = ((data[k >> 3] >> (k & 7)) & 1) != 0;
                }

                return;
            case PhysicalType.Int32:
                for (var k = 0; k < output.Length; k++, pos += 4)
                {
                    output[k] = Values.FromInt32(c, BinaryPrimitives.ReadInt32LittleEndian(data[pos..]));
                }

                return;
            case PhysicalType.Int64:
                for (var k = 0; k < output.Length; k++, pos += 8)
                {
                    output[k] = Values.FromInt64(c, BinaryPrimitives.ReadInt64LittleEndian(data[pos..]));
                }

                return;
            case PhysicalType.Int96:
                for (var k = 0; k < output.Length; k++, pos += 12)
                {
                    output[k] = Values.FromInt96(data.Slice(pos, 12));
                }

                return;
            case PhysicalType.Float:
                for (var k = 0; k < output.Length; k++, pos += 4)
                {
                    output[k] = BinaryPrimitives.ReadSingleLittleEndian(data[pos..]);
                }

                return;
            case PhysicalType.Double:
                for (var k = 0; k < output.Length; k++, pos += 8)
                {
                    output[k] = BinaryPrimitives.ReadDoubleLittleEndian(data[pos..]);
                }

                return;
            case PhysicalType.ByteArray:
                for (var k = 0; k < output.Length; k++)
                {
                    if (data.Length - pos < 4)
                    {
                        throw new ParquetFormatException($"Column {c.Node.Path}: byte array length runs past the page.");
                    }

                    var len = BinaryPrimitives.ReadInt32LittleEndian(data[pos..]);
                    pos += 4;
                    if (len < 0 || len > data.Length - pos)
                    {
                        throw new ParquetFormatException($"Column {c.Node.Path}: byte array of {len} bytes with {data.Length - pos} left.");
                    }

                    output[k] = Values.FromBytes(c, data.Slice(pos, len));
                    pos += len;
                }

                return;
            default:
                var width = c.Node.TypeLength ?? 0;
                if ((long)width * output.Length > data.Length)
                {
                    throw new ParquetFormatException($"Column {c.Node.Path}: fixed-length values run past the page.");
                }

                for (var k = 0; k < output.Length; k++, pos += width)
                {
                    output[k] = Values.FromBytes(c, data.Slice(pos, width));
                }

                return;
        }
    }
}
