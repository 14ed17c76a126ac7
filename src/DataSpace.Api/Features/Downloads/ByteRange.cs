using Microsoft.Net.Http.Headers;

namespace DataSpace.Api.Features.Downloads;

/// <summary>What a GET asks for: the whole file, one satisfiable byte range, or an unsatisfiable one (RFC 9110 §14).</summary>
internal readonly record struct ByteRange(long Start, long Length, bool IsPartial, bool Unsatisfiable)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// Reads a single <c>bytes=</c> range. A malformed header, another unit, or several ranges are ignored and the
    /// whole file is served, as RFC 9110 allows; If-Range that does not match the strong ETag also means the whole file.
    /// </summary>
    public static ByteRange From(HttpRequest request, long size, string etag)
    {
        var whole = new ByteRange(0, size, false, false);
        string? header = request.Headers.Range;
        if (string.IsNullOrEmpty(header) || !RangeHeaderValue.TryParse(header, out var range)
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return whole;
        }

        string? ifRange = request.Headers.IfRange;
        if (!string.IsNullOrEmpty(ifRange) && ifRange != etag)
        {
            return whole;
        }

        var item = range.Ranges.Single();
        if (item.From is { } from)
        {
            if (item.To is { } to && to < from)
            {
                return whole;
            }

            if (from >= size)
            {
                return new ByteRange(0, 0, true, true);
            }

            var end = Math.Min(item.To ?? size - 1, size - 1);
            return new ByteRange(from, end - from + 1, true, false);
        }

        // Suffix range: the last N bytes.
        var suffix = item.To ?? 0;
        if (suffix == 0 || size == 0)
        {
            return new ByteRange(0, 0, true, true);
        }

        var start = Math.Max(0, size - suffix);
        return new ByteRange(start, size - start, true, false);
    }
}
