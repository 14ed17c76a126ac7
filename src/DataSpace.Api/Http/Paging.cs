using DataSpace.Api.Problems;

namespace DataSpace.Api.Http;

/// <summary>Keyset pagination: opaque cursors and the shared <c>limit</c> rule (1–100, default 50, never silently capped).</summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static string CursorFor(Guid lastId) =>
        Convert.ToBase64String(lastId.ToByteArray(bigEndian: true)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads cursor and limit; adds errors naming <c>cursor</c> or <c>limit</c> to <paramref name="validation"/>.</summary>
    public static (Guid? After, int Limit) Read(string? cursor, int? limit, Validation validation)
    {
        var size = ReadLimit(limit, validation);

        if (string.IsNullOrEmpty(cursor))
        {
            return (null, size);
        }

        var padded = cursor.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        Span<byte> bytes = stackalloc byte[18];
        if (Convert.TryFromBase64String(padded, bytes, out var written) && written == 16)
        {
            return (new Guid(bytes[..16], bigEndian: true), size);
        }

        validation.Add("cursor", "is not a cursor this API returned");
        return (null, size);
    }

    /// <summary>For lists keyed by a positive number (version numbers, audit sequence numbers): the cursor is that number.</summary>
    public static (long? After, int Limit) ReadNumeric(string? cursor, int? limit, Validation validation)
    {
        var size = ReadLimit(limit, validation);
        if (cursor is null)
        {
            return (null, size);
        }

        if (long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var after) && after > 0)
        {
            return (after, size);
        }

        validation.Add("cursor", "is not a cursor this API returned");
        return (null, size);
    }

    /// <summary>For lists keyed by a text id (API clients): the cursor is that id, base64url-encoded so it stays opaque.</summary>
    public static (string? After, int Limit) ReadText(string? cursor, int? limit, Validation validation)
    {
        var size = ReadLimit(limit, validation);
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, size);
        }

        try
        {
            return (System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(cursor)), size);
        }
        catch (FormatException)
        {
            validation.Add("cursor", "is not a cursor this API returned");
            return (null, size);
        }
    }

    public static string CursorFor(string lastKey) =>
        Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(lastKey));

    /// <summary>
    /// One page from rows fetched with <c>limit + 1</c>: the extra row only says that another page exists.
    /// </summary>
    public static Contracts.Common.Page<TItem> PageOf<TRow, TItem>(IReadOnlyList<TRow> rows, int limit, Func<TRow, TItem> map, Func<TRow, string> cursorOf) =>
        new([.. rows.Take(limit).Select(map)], rows.Count > limit ? cursorOf(rows[limit - 1]) : null);

    public static string CursorFor(long lastKey) => lastKey.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads <c>limit</c> alone, for lists whose cursor is not an id (e.g. the review queues).</summary>
    public static int ReadLimit(int? limit, Validation validation)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            validation.Add("limit", $"must be between 1 and {MaxLimit}");
        }

        return size;
    }
}
