using System.Buffers.Binary;

namespace DataSpace.Parquet.Internal;

/// <summary>A growable byte buffer; the writer's only allocation is growth, reused across pages and row groups.</summary>
internal sealed class ByteBuffer(int capacity = 256)
{
    private byte[] _data = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    public byte[] Array => _data;

    public void Clear() => Length = 0;

    /// <summary>Drops the bytes after the first <paramref name="length"/> (after a Reserve that was not filled).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)Length, nameof(length));
        Length = length;
    }

    public Span<byte> Reserve(int count)
    {
        var needed = (long)Length + count;
        if (needed > _data.Length)
        {
            var size = Math.Max(needed, Math.Min((long)_data.Length * 2, System.Array.MaxLength));
            if (size < needed)
            {
                throw new InvalidOperationException("Buffer would exceed the largest array size.");
            }

            System.Array.Resize(ref _data, (int)size);
        }

        var span = _data.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteByte(byte b) => Reserve(1)[0] = b;

    public void WriteInt32(int v) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), v);

    public void WriteInt64(long v) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), v);

    public void WriteUVarint(ulong v)
    {
        while (v >= 0x80)
        {
            WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        WriteByte((byte)v);
    }
}
