using System.Security.Cryptography;

namespace DataSpace.Api.Storage;

/// <summary>
/// Wraps an upload body: hashes every byte on its way to the blob store and stops the upload as soon as it passes
/// the size limit, so a file is read exactly once and never held in memory.
/// </summary>
internal sealed class HashingReadStream(Stream inner, long maxBytes) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    public byte[] Hash() => _sha256.GetHashAndReset();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Account(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Account(buffer.AsSpan(offset, n));
        return n;
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        BytesRead += bytes.Length;
        if (BytesRead > maxBytes)
        {
            throw new FileTooLargeException(maxBytes);
        }

        _sha256.AppendData(bytes);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed class FileTooLargeException(long maxBytes) : IOException($"The file is larger than the limit of {maxBytes} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
