using System.Text;
using System.Text.Json;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// Reused buffers for JSON Lines strings (keys, values): unescaping and decoding into them allocates once, at most the
/// longest line, instead of a string per key per line.
/// </summary>
internal sealed class JsonScratch
{
    private byte[] _bytes = new byte[256];
    private char[] _chars = new char[256];

    /// <summary>The current string token, unescaped (valid until the next call).</summary>
    public ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (_bytes.Length < reader.ValueSpan.Length)
        {
            _bytes = new byte[Math.Max(reader.ValueSpan.Length, _bytes.Length * 2)];
        }

        return _bytes.AsSpan(0, reader.CopyString(_bytes));
    }

    /// <summary>UTF-8 as characters (valid until the next call).</summary>
    public ReadOnlySpan<char> Chars(ReadOnlySpan<byte> utf8)
    {
        if (_chars.Length < utf8.Length)
        {
            _chars = new char[Math.Max(utf8.Length, _chars.Length * 2)];
        }

        return _chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars));
    }
}
