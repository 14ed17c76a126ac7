using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataSpace.Api.Features.Certificates;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme for the documents this API signs: members sorted by their names' UTF-16 code
/// units, no whitespace, strings escaped as ECMAScript's JSON.stringify does (only '"', '\', and controls; \b \t \n \f \r
/// short forms, other controls as lower-case \u00xx; everything else literal UTF-8). Numbers are limited to integers of at
/// most 2^53 in magnitude, which ECMAScript prints as plain decimals; a document with any other number is refused rather
/// than canonicalised approximately. Checked in tests against the npm <c>canonicalize</c> package.
/// </summary>
internal static class Jcs
{
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    public static byte[] Canonicalize(JsonNode? node)
    {
        var sb = new StringBuilder();
        // Reparsed so that every value is backed by a JsonElement, whatever built the tree.
        Write(node is null ? null : JsonNode.Parse(node.ToJsonString()), sb);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (name, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteString(name, sb);
                    sb.Append(':');
                    Write(value, sb);
                }

                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(a[i], sb);
                }

                sb.Append(']');
                break;
            case JsonValue v:
                WriteValue(v, sb);
                break;
        }
    }

    private static void WriteValue(JsonValue v, StringBuilder sb)
    {
        var element = v.GetValue<JsonElement>();
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                WriteString(element.GetString()!, sb);
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var n) && Math.Abs(n) <= MaxSafeInteger:
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"JCS here takes strings, booleans, null and safe integers only, not {element.GetRawText()}.");
        }
    }

    private static void WriteString(string s, StringBuilder sb)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }
}
