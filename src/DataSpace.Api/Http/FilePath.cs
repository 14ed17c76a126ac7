using System.Globalization;
using System.Text;

namespace DataSpace.Api.Http;

/// <summary>
/// The rules for a file's path inside a version. Paths come from clients and end up in manifests, download URLs and
/// Content-Disposition headers, so they are strict: relative, '/'-separated, no '.' or '..' or empty segments, no
/// backslashes, no characters <see cref="FileNames"/> refuses, NFC-normalised, at most 255 bytes of UTF-8.
/// </summary>
internal static class FilePath
{
    public const int MaxBytes = 255;

    /// <summary>Decodes the raw (still percent-encoded) path from the request target and validates it.</summary>
    public static (string? Path, string? Problem) FromRawTarget(string rawTarget, string marker)
    {
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var target = query < 0 ? rawTarget : rawTarget[..query];
        var at = target.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return (null, "the request target has no file path");
        }

        var decoded = PercentDecode(target[(at + marker.Length)..]);
        return decoded is null ? (null, "the path is not valid percent-encoded UTF-8") : Validate(decoded);
    }

    public static (string? Path, string? Problem) Validate(string path)
    {
        if (path.Length == 0)
        {
            return (null, "the path is empty");
        }

        string nfc;
        try
        {
            nfc = path.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return (null, "the path is not valid Unicode");
        }

        if (Encoding.UTF8.GetByteCount(nfc) > MaxBytes)
        {
            return (null, $"the path is longer than {MaxBytes} bytes of UTF-8");
        }

        if (nfc.StartsWith('/'))
        {
            return (null, "the path must be relative (no leading '/')");
        }

        if (nfc.Contains('\\', StringComparison.Ordinal))
        {
            return (null, "the path must use '/' as separator, not '\\'");
        }

        if (Http.FileNames.CharacterProblem(nfc) is { } characters)
        {
            return (null, "the path " + characters);
        }

        foreach (var segment in nfc.Split('/'))
        {
            if (segment.Length == 0)
            {
                return (null, "the path has an empty segment ('//' or a trailing '/')");
            }

            if (segment is "." or "..")
            {
                return (null, "the path must not contain '.' or '..' segments");
            }
        }

        if (nfc.Length >= 2 && nfc[1] == ':' && char.IsAsciiLetter(nfc[0]))
        {
            return (null, "the path must not start with a drive letter");
        }

        return (nfc, null);
    }

    /// <summary>Strict percent-decoding to UTF-8: every %XX becomes a byte (so %2F is a '/'), and the bytes must be valid UTF-8.</summary>
    private static string? PercentDecode(string encoded)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(encoded.Length)];
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }

                bytes[n++] = b;
                i += 2;
            }
            else
            {
                n += Encoding.UTF8.GetBytes(encoded.AsSpan(i, 1), bytes.AsSpan(n));
            }
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
