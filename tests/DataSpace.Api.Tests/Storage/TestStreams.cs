using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DataSpace.Api.Tests.Storage;

/// <summary>
/// A non-seekable stream of pseudo-random bytes computed from their position (splitmix64 of seed and position / 8), so a
/// test can upload gigabytes without holding them and recompute any range or the SHA-256 of the whole. Reads come back
/// in odd sizes, as from a network, to exercise the stores' buffer filling.
/// </summary>
internal sealed class PatternStream(long length, ulong seed) : Stream
{
    public const int MaxChunk = 65_537;

    private long _position;

    /// <summary>Called with the position before each read: lets a test fail or cancel part way through.</summary>
    public Action<long>? BeforeRead { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static void Fill(ulong seed, long position, Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[8];
        var i = 0;
        while (i < destination.Length)
        {
            var p = position + i;
            BinaryPrimitives.WriteUInt64LittleEndian(word, SplitMix(seed + (ulong)(p / 8)));
            var from = (int)(p % 8);
            var n = Math.Min(8 - from, destination.Length - i);
            word.Slice(from, n).CopyTo(destination[i..]);
            i += n;
        }
    }

    public static byte[] Bytes(ulong seed, long position, int count)
    {
        var bytes = new byte[count];
        Fill(seed, position, bytes);
        return bytes;
    }

    public static async Task<byte[]> Sha256Async(long length, ulong seed, CancellationToken ct)
    {
        await using var stream = new PatternStream(length, seed);
        return await SHA256.HashDataAsync(stream, ct);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        BeforeRead?.Invoke(_position);
        var n = (int)Math.Min(Math.Min(buffer.Length, MaxChunk), length - _position);
        Fill(seed, _position, buffer[..n]);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>What a source stream throws when the client behind it goes away (Kestrel's are IOExceptions too).</summary>
internal sealed class SimulatedAbortException() : IOException("The client aborted the upload.");
