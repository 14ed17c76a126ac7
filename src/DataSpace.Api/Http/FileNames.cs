using System.Text;

namespace DataSpace.Api.Http;

/// <summary>
/// The one character rule for names clients give files (dataset file paths, record evidence and report names): text
/// that ends up in manifests, URLs, Content-Disposition headers and spreadsheets, so no control characters, no
/// bidirectional controls (U+202E would show "exe.pdf" as "fdp.exe"), no byte-order marks, no lone surrogates or
/// replacement characters from broken UTF-8.
/// </summary>
internal static class FileNames
{
    /// <summary>Why <paramref name="name"/> is not acceptable as (part of) a file name, or null when it is.</summary>
    public static string? CharacterProblem(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || c == '\uFFFD')
            {
                return "must be valid UTF-8 text";
            }
            else if (char.IsControl(c))
            {
                return "must not contain control characters";
            }
            else if (c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF')
            {
                return "must not contain bidirectional-override or byte-order-mark characters";
            }
        }

        return null;
    }

    /// <summary>RFC 6266: an ASCII fallback name and the exact UTF-8 name in filename*.</summary>
    public static string ContentDisposition(string name)
    {
        var ascii = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            ascii.Append(c is >= ' ' and < (char)127 and not '"' and not '\\' and not '%' ? c : '_');
        }

        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(name)}";
    }
}
