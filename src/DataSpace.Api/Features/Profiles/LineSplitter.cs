using System.Buffers;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// Cuts a stream of chunks into lines at '\n', for JSON Lines. A line within one chunk is handed over without copying;
/// a line cut by a chunk edge is carried over in a buffer of at most <paramref name="maxLineBytes"/>, and a longer line
/// fails the profile (or the rendition) instead of growing memory.
/// </summary>
internal sealed class LineSplitter(int maxLineBytes)
{
    public delegate void LineHandler(ReadOnlySpan<byte> line);

    private readonly ArrayBufferWriter<byte> _pending = new();

    /// <summary>The 1-based number of the line last handed over (blank lines count).</summary>
    public long LineNumber { get; private set; }

    public void Consume(ReadOnlySpan<byte> chunk, LineHandler onLine)
    {
        while (chunk.Length > 0)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Keep(chunk);
                return;
            }

            if (_pending.WrittenCount == 0)
            {
                Hand(chunk[..newline], onLine);
            }
            else
            {
                Keep(chunk[..newline]);
                Hand(_pending.WrittenSpan, onLine);
                _pending.ResetWrittenCount();
            }

            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>Hands over the last line when the input does not end with '\n'.</summary>
    public void Complete(LineHandler onLine)
    {
        if (_pending.WrittenCount > 0)
        {
            Hand(_pending.WrittenSpan, onLine);
            _pending.ResetWrittenCount();
        }
    }

    private void Hand(ReadOnlySpan<byte> line, LineHandler onLine)
    {
        LineNumber++;
        if (line.Length > maxLineBytes)
        {
            throw new ProfileFailedException($"Line {LineNumber} is longer than {maxLineBytes} bytes.");
        }

        onLine(line);
    }

    private void Keep(ReadOnlySpan<byte> part)
    {
        if (_pending.WrittenCount + part.Length > maxLineBytes)
        {
            throw new ProfileFailedException($"Line {LineNumber + 1} is longer than {maxLineBytes} bytes.");
        }

        _pending.Write(part);
    }
}
