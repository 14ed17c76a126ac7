namespace DataSpace.Api.Storage;

/// <summary>
/// What <see cref="IBlobStore.OpenReadAsync"/> returns: a forward-only view of another stream that stops after a number of
/// bytes (a range of a file) and disposes what it was given (the file, or the HTTP response whose body it reads). One small
/// wrapper for both adapters, so callers see the same stream whichever store is configured.
/// </summary>
/// <param name="blobLength">The size of the whole blob as the store answered it with this read (null when the store's answer did
/// not say, e.g. for an empty range): lets a download check the blob against the manifest without a second round trip.</param>
internal sealed class BlobReadStream(Stream inner, long? limit, long? blobLength, IDisposable? owner = null) : ForwardOnlyStream
{
    private long? _remaining = limit;
    private bool _disposed;

    /// <summary>An empty stream for ranges that start at or past the end of a blob (of <paramref name="blobLength"/> bytes, if known).</summary>
    public static BlobReadStream Empty(long? blobLength = null) => new(Null, 0, blobLength);

    /// <summary>The size of the whole blob as the store reported it when this stream was opened, or null if it did not say.</summary>
    public long? BlobLength { get; } = blobLength;

    public override bool CanRead => !_disposed;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remaining == 0)
        {
            return 0; // never pass an empty buffer on: a zero-byte read on a network stream waits for data
        }

        var n = inner.Read(Limit(buffer));
        Consumed(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remaining == 0)
        {
            return 0;
        }

        var n = await inner.ReadAsync(Limit(buffer), cancellationToken);
        Consumed(n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            inner.Dispose();
            owner?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await inner.DisposeAsync();
            owner?.Dispose();
        }

        await base.DisposeAsync();
    }

    private Span<byte> Limit(Span<byte> buffer) => _remaining is { } r && r < buffer.Length ? buffer[..(int)r] : buffer;

    private Memory<byte> Limit(Memory<byte> buffer) => _remaining is { } r && r < buffer.Length ? buffer[..(int)r] : buffer;

    private void Consumed(int n)
    {
        if (_remaining is not null)
        {
            _remaining -= n;
        }
    }
}
