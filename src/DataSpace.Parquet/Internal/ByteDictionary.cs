using System.Buffers.Binary;
using System.Numerics;

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

    /// <summary>The value's index; <paramref name="added"/> is true when the value is new to the dictionary.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> value, out bool added)
    {
        var hash = Hash(value);
        var mask = _buckets.Length - 1;
        var page = Page.Span;
        for (var e = _buckets[hash & mask] - 1; e >= 0; e = _next[e])
        {
            if (_hashes[e] == hash && _lengths[e] == value.Length && page.Slice(_offsets[e], value.Length).SequenceEqual(value))
            {
                added = false;
                return e;
            }
        }

        added = true;

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

    /// <summary>
    /// A multiply-rotate hash over 8-byte words of the UTF-8 (or PLAIN) bytes: several times faster than HashCode.AddBytes
    /// on the short values dictionaries hold (ids, paths, numbers), and not exposed to hostile input (the writer's caller
    /// chooses the values; a bad distribution only lengthens chains).
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> value)
    {
        const ulong K = 0x9E3779B97F4A7C15;
        var h = (ulong)value.Length * K;
        var i = 0;
        for (; i + 8 <= value.Length; i += 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * K, 29);
        }

        if (i < value.Length)
        {
            ulong tail = 0;
            var rest = value[i..];
            for (var k = 0; k < rest.Length; k++)
            {
                tail |= (ulong)rest[k] << (8 * k);
            }

            h = BitOperations.RotateLeft((h ^ tail) * K, 29);
        }

        h ^= h >> 31;
        h *= K;
        return (int)(h ^ (h >> 32));
    }
}
