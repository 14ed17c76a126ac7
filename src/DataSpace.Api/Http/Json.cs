using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataSpace.Api.Http;

/// <summary>The one JSON convention of the API (snake_case, strict numbers), also used for jsonb columns.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>For request bodies read by hand (merge patches): unknown members refused, as on every other body.</summary>
    public static readonly JsonSerializerOptions RequestOptions = ConfigureRequests(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.NumberHandling = JsonNumberHandling.Strict;
        // Readable Chinese text and apostrophes; responses are application/json, never embedded in HTML.
        o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return o;
    }

    /// <summary>
    /// The options request bodies are read with: the convention, and unknown members refused (a misspelt member would
    /// otherwise silently do nothing). Not for jsonb columns, whose older rows may carry members a record no longer has.
    /// </summary>
    public static JsonSerializerOptions ConfigureRequests(JsonSerializerOptions o)
    {
        Configure(o).UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return o;
    }
}
