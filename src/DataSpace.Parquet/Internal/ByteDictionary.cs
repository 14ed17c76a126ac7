using System.Buffers.Binary;
using System.Numerics;

namespace DataSpace.Parquet.Internal;

/// <summary>
/// Dictionary-page builder: value bytes to index without per-value allocation. Values are appended PLAIN-encoded
/// to Page (length-prefixed for byte arrays), so the dictionary page body is ready when the chunk ends.
/// </summary>
internal sealed class ByteDictionary(bool lengthPrefixed)
{
    /// <summary>One entry's hash, place in Page, length and the next entry of its bucket (-1 ends the chain): one cache line holds four.</summary>
    private struct Entry
    {
        public int Hash;
        public int Offset;
        public int Length;
        public int Next;
    }

    private int[] _buckets = new int[1024];
    private Entry[] _entries = new Entry[256];

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
        var buckets = _buckets;
        var bucket = hash & (buckets.Length - 1);
        var entries = _entries;
        var page = Page.Span;
        for (var e = buckets[bucket] - 1; (uint)e < (uint)entries.Length; e = entries[e].Next)
        {
            ref var entry = ref entries[e];
            if (entry.Hash == hash && entry.Length == value.Length && page.Slice(entry.Offset, value.Length).SequenceEqual(value))
            {
                added = false;
                return e;
            }
        }

        added = true;
        if (Count == entries.Length)
        {
            Array.Resize(ref _entries, Count * 2);
            entries = _entries;
        }

        if (lengthPrefixed)
        {
            Page.WriteInt32(value.Length);
        }

        var index = Count++;
        entries[index] = new Entry { Hash = hash, Offset = Page.Length, Length = value.Length, Next = buckets[bucket] - 1 };
        Page.Write(value);
        buckets[bucket] = index + 1;
        if (Count > buckets.Length / 2)
        {
            Rehash();
        }

        return index;
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 2];
        var mask = _buckets.Length - 1;
        for (var e = 0; e < Count; e++)
        {
            ref var entry = ref _entries[e];
            entry.Next = _buckets[entry.Hash & mask] - 1;
            _buckets[entry.Hash & mask] = e + 1;
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
