namespace DataSpace.Parquet.Internal;

/// <summary>
/// Dictionary-page builder: value bytes to index without per-value allocation. Values are appended PLAIN-encoded
/// to Page (length-prefixed for byte arrays), so the dictionary page body is ready when the chunk ends.
/// </summary>
internal sealed class ByteDictionary(bool lengthPrefixed)
{
    private int[] _buckets = new int[1024];
    private int[] _offsets = new int[256];
    private int[] _lengths = new int[256];
    private int[] _hashes = new int[256];
    private int[] _next = new int[256];

    public ByteBuffer Page { get; } = new(4096);

    public int Count { get; private set; }

    public void Clear()
    {
        Array.Clear(_buckets);
        Count = 0;
        Page.Clear();
    }

    public int GetOrAdd(ReadOnlySpan<byte> value)
    {
        var hash = Hash(value);
        var mask = _buckets.Length - 1;
        for (var e = _buckets[hash & mask] - 1; e >= 0; e = _next[e])
        {
            if (_hashes[e] == hash && Page.Span.Slice(_offsets[e], _lengths[e]).SequenceEqual(value))
            {
                return e;
            }
        }

        if (Count == _offsets.Length)
        {
            var size = Count * 2;
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _next, size);
        }

        if (lengthPrefixed)
        {
            Page.WriteInt32(value.Length);
        }

        var index = Count++;
        _offsets[index] = Page.Length;
        _lengths[index] = value.Length;
        _hashes[index] = hash;
        Page.Write(value);
        if (Count > _buckets.Length / 2)
        {
            Rehash();
        }
        else
        {
            _next[index] = _buckets[hash & mask] - 1;
            _buckets[hash & mask] = index + 1;
        }

        return index;
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 2];
        var mask = _buckets.Length - 1;
        for (var e = 0; e < Count; e++)
        {
            _next[e] = _buckets[_hashes[e] & mask] - 1;
            _buckets[_hashes[e] & mask] = e + 1;
        }
    }

    private static int Hash(ReadOnlySpan<byte> value)
    {
        var h = new HashCode();
        h.AddBytes(value);
        return h.ToHashCode();
    }
}
