using System.Buffers;

namespace DataSpace.Api.Storage;

/// <summary>Blobs as files under one folder: the embedded default when no Azure endpoint is configured.</summary>
internal sealed class FileSystemBlobStore(string root) : IBlobStore
{
    /// <summary>Copy buffer: large enough that a multi-gigabyte copy is a few thousand syscalls, small enough to pool.</summary>
    private const int CopyBufferSize = 1 << 20;

    /// <summary>FileStream's own buffer; reads and writes at least this large bypass it.</summary>
    private const int FileBufferSize = 1 << 16;

    public string Kind => "filesystem";

    public string Root { get; } = Path.GetFullPath(root);

    public Task CheckAsync(CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(Root);
            var probe = Path.Combine(Root, ".probe-" + Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"The blob folder {Root} is not writable: {e.Message}", e);
        }
    }

    public async Task<long> UploadAsync(string key, Stream source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var path = PathOf(key);

        // Write beside the final file and rename it into place: the rename is atomic within a folder, so readers never see
        // a half-written blob, and an aborted upload leaves only a temporary file, which is deleted below. The dot-name
        // cannot collide with a key (BlobKey forbids segments starting with '.').
        var folder = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            var file = Disk(() =>
            {
                Directory.CreateDirectory(folder);
                return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            });
            await using (file)
            {
                while (true)
                {
                    // Exceptions from the source (a client that went away) propagate as they are; only the disk's become 503s.
                    var n = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct);
                    if (n == 0)
                    {
                        break;
                    }

                    await DiskAsync(() => file.WriteAsync(buffer.AsMemory(0, n), ct));
                    total += n;
                }

                // Durable before it is visible: the caller records the blob in the database once this returns.
                Disk(() => file.Flush(flushToDisk: true));
            }

            ct.ThrowIfCancellationRequested(); // a source that ignores the token must not get a cancelled upload committed

            Disk(() => File.Move(temp, path, overwrite: true));
            return total;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<BlobReadStream> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var path = PathOf(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(length));
        }

        FileStream file;
        try
        {
            // FileShare.Delete: an overwrite (rename) or delete may happen while someone downloads; they keep the old bytes.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"The blob folder {Root} is not readable: {e.Message}", e);
        }

        var size = file.Length;
        if (offset >= size)
        {
            file.Dispose();
            return Task.FromResult(BlobReadStream.Empty(size));
        }

        file.Seek(offset, SeekOrigin.Begin);
        var available = size - offset;
        return Task.FromResult(new BlobReadStream(file, length is { } max && max < available ? max : available, size));
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));

    /// <summary>A file has no checksum of its own: the scrub's read-back covers this store.</summary>
    public Task<StoredBlobInfo?> InfoAsync(string key, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? new StoredBlobInfo(file.Length, null) : null);
    }

    public Task<long?> SizeAsync(string key, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path); // a missing file is not an error
        }
        catch (DirectoryNotFoundException)
        {
            // nor is a missing folder
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"Deleting from the blob folder {Root} failed: {e.Message}", e);
        }

        return Task.CompletedTask;
    }

    /// <summary>The file behind a key. BlobKey already rules out '..' and absolute paths; the prefix check is the second lock.</summary>
    private string PathOf(string key)
    {
        BlobKey.Validate(key);
        var path = Path.GetFullPath(Path.Combine(Root, key));
        var rootWithSeparator = Path.EndsInDirectorySeparator(Root) ? Root : Root + Path.DirectorySeparatorChar;
        if (!path.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid blob key: '{key}' leaves the blob folder.", nameof(key));
        }

        return path;
    }

    private T Disk<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"Writing to the blob folder {Root} failed: {e.Message}", e);
        }
    }

    private void Disk(Action action) => Disk(() =>
    {
        action();
        return 0;
    });

    private async Task DiskAsync(Func<ValueTask> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreUnavailableException($"Writing to the blob folder {Root} failed: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original exception is the one worth reporting; a stray dot-file is harmless.
        }
    }
}
