using System.Buffers.Binary;

namespace DataSpace.Parquet.Internal;

/// <summary>What the footer needs to know about one written column chunk.</summary>
internal sealed record ChunkInfo(
    long Start,
    long DataPageOffset,
    long? DictionaryPageOffset,
    long NumValues,
    long CompressedSize,
    long UncompressedSize,
    IReadOnlyList<int> Encodings,
    long NullCount,
    byte[]? Min,
    byte[]? Max);

/// <summary>
/// Buffers one column's pages for the current row group: values go into the open page (PLAIN bytes or dictionary
/// indices), full pages are encoded and compressed at once, and the chunk is emitted when the row group ends.
/// </summary>
internal sealed class ColumnWriter
{
    private const int MaxPageValues = 1 << 17;

    private readonly ParquetWriterOptions _options;
    private readonly int _codec;
    private readonly bool _dictionaryAllowed;
    private readonly ByteDictionary? _dictionary;
    private readonly ByteBuffer _plain = new(4096);
    // The chunk's data pages: each header in its own small array, the compressed bodies back to back in _data, which is
    // reused by every row group (no large array per page for the GC to collect).
    private readonly List<(byte[] Header, int Offset, int Length)> _pages = [];
    private readonly ByteBuffer _data = new(4096);
    private readonly ByteBuffer _body = new(4096);
    private readonly ByteBuffer _header = new(64);
    private readonly ByteBuffer _min = new(16);
    private readonly ByteBuffer _max = new(16);
    private readonly SortedSet<int> _encodings = [];
    private int[] _defs = new int[1024];
    private int[] _indices = new int[1024];
    private int _pageCount;
    private int _indexCount;
    private bool _dictionaryMode;
    private bool _dictionaryUsed;
    private bool _dictionaryAbandoned;
    private long _plainEquivalentBytes;
    private long _chunkValues;
    private long _compressedSize;
    private long _uncompressedSize;
    private long _nullCount;
    private bool _hasMinMax;
    private long _minLong;
    private long _maxLong;
    private double _minDouble;
    private double _maxDouble;

    public ColumnWriter(ParquetColumn column, ParquetWriterOptions options)
    {
        Column = column;
        _options = options;
        _codec = Codecs.Id(options.Codec);
        Physical = Physicals(column.Type);
        _dictionaryAllowed = options.Dictionary && Physical != PhysicalType.Boolean;
        _dictionary = _dictionaryAllowed ? new ByteDictionary(Physical == PhysicalType.ByteArray) : null;
        _dictionaryMode = _dictionaryAllowed;
    }

    public ParquetColumn Column { get; }

    public int Physical { get; }

    /// <summary>Bytes this column holds for the open row group (pages, open page, dictionary).</summary>
    public long BufferedBytes => _compressedSize + _plain.Length + (_indexCount * 4L) + _pageCount + (_dictionary?.Page.Length ?? 0);

    public static int Physicals(ParquetType type) => type switch
    {
        ParquetType.Boolean => PhysicalType.Boolean,
        ParquetType.Int32 or ParquetType.Date => PhysicalType.Int32,
        ParquetType.Int64 or ParquetType.TimestampMillis or ParquetType.TimestampMicros or ParquetType.Decimal => PhysicalType.Int64,
        ParquetType.Float => PhysicalType.Float,
        ParquetType.Double => PhysicalType.Double,
        ParquetType.String or ParquetType.Binary => PhysicalType.ByteArray,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public void AddNull()
    {
        AddLevel(0);
        _nullCount++;
        AfterValue();
    }

    public void AddBoolean(bool v)
    {
        AddLevel(1);
        _plain.WriteByte(v ? (byte)1 : (byte)0);
        TrackLong(v ? 1 : 0);
        AfterValue();
    }

    public void AddInt32(int v)
    {
        AddLevel(1);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        if (AddValue(b))
        {
            TrackLong(v);
        }

        AfterValue();
    }

    public void AddInt64(long v)
    {
        AddLevel(1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        if (AddValue(b))
        {
            TrackLong(v);
        }

        AfterValue();
    }

    public void AddFloat(float v)
    {
        AddLevel(1);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, v);
        if (AddValue(b))
        {
            TrackDouble(v);
        }

        AfterValue();
    }

    public void AddDouble(double v)
    {
        AddLevel(1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, v);
        if (AddValue(b))
        {
            TrackDouble(v);
        }

        AfterValue();
    }

    public void AddBytes(ReadOnlySpan<byte> v)
    {
        AddLevel(1);
        if (_dictionaryMode)
        {
            // A value already in the dictionary is already inside this chunk's min/max: only new ones are compared.
            if (AddValue(v))
            {
                TrackBytes(v);
            }
        }
        else
        {
            _plain.WriteInt32(v.Length);
            _plain.Write(v);
            TrackBytes(v);
        }

        AfterValue();
    }

    /// <summary>Min and max in unsigned byte order, which for UTF-8 is code point order (Parquet's order for strings).</summary>
    private void TrackBytes(ReadOnlySpan<byte> v)
    {
        if (!_hasMinMax)
        {
            _min.Clear();
            _min.Write(v);
            _max.Clear();
            _max.Write(v);
            _hasMinMax = true;
        }
        else if (v.SequenceCompareTo(_min.Span) < 0)
        {
            _min.Clear();
            _min.Write(v);
        }
        else if (v.SequenceCompareTo(_max.Span) > 0)
        {
            _max.Clear();
            _max.Write(v);
        }
    }

    private void AddLevel(int level)
    {
        if (_pageCount == _defs.Length)
        {
            Array.Resize(ref _defs, _defs.Length * 2);
        }

        _defs[_pageCount++] = level;
    }

    /// <summary>Adds a value to the open page; true when it is new to the chunk's dictionary or the page is PLAIN.</summary>
    private bool AddValue(ReadOnlySpan<byte> plainValue)
    {
        if (!_dictionaryMode)
        {
            _plain.Write(plainValue);
            return true;
        }

        _plainEquivalentBytes += plainValue.Length + (Physical == PhysicalType.ByteArray ? 4 : 0);
        var index = _dictionary!.GetOrAdd(plainValue, out var added);
        if (_indexCount == _indices.Length)
        {
            Array.Resize(ref _indices, _indices.Length * 2);
        }

        _indices[_indexCount++] = index;
        _dictionaryUsed = true;
        if (_dictionary.Page.Length > _options.DictionaryPageBytes)
        {
            // Too many distinct values: pages so far stay dictionary-encoded, the rest of the chunk is PLAIN, and so are the
            // next row groups' chunks (see Reset).
            FlushPage();
            _dictionaryMode = false;
            _dictionaryAbandoned = true;
        }

        return added;
    }

    private void TrackLong(long v)
    {
        if (!_hasMinMax)
        {
            _minLong = _maxLong = v;
            _hasMinMax = true;
        }
        else if (v < _minLong)
        {
            _minLong = v;
        }
        else if (v > _maxLong)
        {
            _maxLong = v;
        }
    }

    private void TrackDouble(double v)
    {
        if (double.IsNaN(v))
        {
            return;
        }

        if (!_hasMinMax)
        {
            _minDouble = _maxDouble = v;
            _hasMinMax = true;
        }
        else if (v < _minDouble)
        {
            _minDouble = v;
        }
        else if (v > _maxDouble)
        {
            _maxDouble = v;
        }
    }

    private void AfterValue()
    {
        if (_pageCount >= MaxPageValues)
        {
            FlushPage();
            return;
        }

        var estimate = _dictionaryMode
            ? ((long)_indexCount * Rle.BitWidth(_dictionary!.Count) / 8) + (_pageCount / 8)
            : _plain.Length + (_pageCount / 8);
        if (estimate >= _options.PageBytes)
        {
            FlushPage();
        }
    }

    private void FlushPage()
    {
        if (_pageCount == 0)
        {
            return;
        }

        _body.Clear();
        if (Column.Nullable)
        {
            var lengthAt = _body.Length;
            _body.Reserve(4);
            Rle.Encode(_defs.AsSpan(0, _pageCount), 1, _body);
            BinaryPrimitives.WriteInt32LittleEndian(_body.Array.AsSpan(lengthAt), _body.Length - lengthAt - 4);
            _encodings.Add(ParquetEncoding.Rle);
        }

        int encoding;
        if (_dictionaryMode && _dictionaryUsed)
        {
            var width = Rle.BitWidth(_dictionary!.Count - 1);
            _body.WriteByte((byte)width);
            Rle.Encode(_indices.AsSpan(0, _indexCount), width, _body);
            encoding = ParquetEncoding.RleDictionary;
        }
        else if (Physical == PhysicalType.Boolean)
        {
            var bits = _body.Reserve((_plain.Length + 7) / 8);
            bits.Clear();
            var values = _plain.Span;
            for (var k = 0; k < values.Length; k++)
            {
                bits[k >> 3] |= (byte)(values[k] << (k & 7));
            }

            encoding = ParquetEncoding.Plain;
        }
        else
        {
            _body.Write(_plain.Span);
            encoding = ParquetEncoding.Plain;
        }

        _encodings.Add(encoding);
        var offset = _data.Length;
        Codecs.CompressInto(_codec, _body.Span, _data);
        var compressedLength = _data.Length - offset;

        _header.Clear();
        var w = new CompactWriter(_header);
        w.BeginStruct();
        w.I32(1, PageType.DataPage);
        w.I32(2, _body.Length);
        w.I32(3, compressedLength);
        w.StructField(5);
        w.I32(1, _pageCount);
        w.I32(2, encoding);
        w.I32(3, ParquetEncoding.Rle);
        w.I32(4, ParquetEncoding.Rle);
        w.EndStruct();
        w.EndStruct();

        _pages.Add((_header.Span.ToArray(), offset, compressedLength));
        _compressedSize += _header.Length + compressedLength;
        _uncompressedSize += _header.Length + _body.Length;
        _chunkValues += _pageCount;
        _pageCount = 0;
        _indexCount = 0;
        _plain.Clear();
    }

    /// <summary>Finishes the chunk: the segments to write in order, and its footer entry. Call Reset after writing.</summary>
    public (List<ReadOnlyMemory<byte>> Segments, ChunkInfo Info) FinishChunk(long position)
    {
        FlushPage();
        var segments = new List<ReadOnlyMemory<byte>>(2 + (2 * _pages.Count));
        long? dictionaryOffset = null;
        var compressedSize = _compressedSize;
        var uncompressedSize = _uncompressedSize;
        if (_dictionaryUsed)
        {
            var page = _dictionary!.Page;
            var compressed = Codecs.Compress(_codec, page.Span);
            var header = new ByteBuffer(32);
            var w = new CompactWriter(header);
            w.BeginStruct();
            w.I32(1, PageType.DictionaryPage);
            w.I32(2, page.Length);
            w.I32(3, compressed.Length);
            w.StructField(7);
            w.I32(1, _dictionary.Count);
            w.I32(2, ParquetEncoding.Plain);
            w.EndStruct();
            w.EndStruct();
            segments.Add(header.Array.AsMemory(0, header.Length));
            segments.Add(compressed);
            dictionaryOffset = position;
            compressedSize += header.Length + compressed.Length;
            uncompressedSize += header.Length + page.Length;
            _encodings.Add(ParquetEncoding.Plain);
        }

        foreach (var (header, offset, length) in _pages)
        {
            segments.Add(header);
            segments.Add(_data.Array.AsMemory(offset, length));
        }

        var dataOffset = position + (compressedSize - _compressedSize);
        var (min, max) = Statistics();
        if (_encodings.Count == 0)
        {
            _encodings.Add(ParquetEncoding.Plain);
        }

        var info = new ChunkInfo(position, dataOffset, dictionaryOffset, _chunkValues, compressedSize, uncompressedSize, [.. _encodings], _nullCount, min, max);
        return (segments, info);
    }

    private (byte[]? Min, byte[]? Max) Statistics()
    {
        if (!_hasMinMax)
        {
            return (null, null);
        }

        switch (Physical)
        {
            case PhysicalType.Boolean:
                return ([(byte)_minLong], [(byte)_maxLong]);
            case PhysicalType.Int32:
                var min32 = new byte[4];
                var max32 = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(min32, (int)_minLong);
                BinaryPrimitives.WriteInt32LittleEndian(max32, (int)_maxLong);
                return (min32, max32);
            case PhysicalType.Int64:
                var min64 = new byte[8];
                var max64 = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(min64, _minLong);
                BinaryPrimitives.WriteInt64LittleEndian(max64, _maxLong);
                return (min64, max64);
            case PhysicalType.Float:
            case PhysicalType.Double:
                // Zero bounds are written as -0.0 (min) and +0.0 (max) so either zero is inside them.
                var lo = _minDouble == 0 ? -0.0 : _minDouble;
                var hi = _maxDouble == 0 ? 0.0 : _maxDouble;
                if (Physical == PhysicalType.Float)
                {
                    var minF = new byte[4];
                    var maxF = new byte[4];
                    BinaryPrimitives.WriteSingleLittleEndian(minF, (float)lo);
                    BinaryPrimitives.WriteSingleLittleEndian(maxF, (float)hi);
                    return (minF, maxF);
                }

                var minD = new byte[8];
                var maxD = new byte[8];
                BinaryPrimitives.WriteDoubleLittleEndian(minD, lo);
                BinaryPrimitives.WriteDoubleLittleEndian(maxD, hi);
                return (minD, maxD);
            default:
                return (_min.Span.ToArray(), _max.Span.ToArray());
        }
    }

    /// <summary>
    /// Starts the next row group's chunk, keeping buffers (trimmed) for reuse. A column whose dictionary overflowed, or did
    /// not pay (dictionary page plus indices no smaller than the PLAIN values), stays PLAIN for the rest of the file: its
    /// values are near-unique, and building and dropping a dictionary in every row group cost the most CPU and memory at
    /// small row groups (issue 13).
    /// </summary>
    public void Reset()
    {
        if (_dictionaryUsed && !_dictionaryAbandoned)
        {
            var indexBytes = (_chunkValues - _nullCount) * Rle.BitWidth(Math.Max(1, _dictionary!.Count - 1)) / 8;
            _dictionaryAbandoned = _dictionary.Page.Length + indexBytes >= _plainEquivalentBytes;
        }

        _pages.Clear();
        _data.Clear();
        _plain.Clear();
        _dictionary?.Clear();
        _dictionaryMode = _dictionaryAllowed && !_dictionaryAbandoned;
        _plainEquivalentBytes = 0;
        _dictionaryUsed = false;
        _encodings.Clear();
        _pageCount = 0;
        _indexCount = 0;
        _chunkValues = 0;
        _compressedSize = 0;
        _uncompressedSize = 0;
        _nullCount = 0;
        _hasMinMax = false;
    }
}
