namespace DataSpace.Api.Tests.Features.Profiles;

/// <summary>Waiting for the background profiler through the API: the version manifest shows each file's profile.</summary>
internal static class ProfileFlow
{
    /// <summary>The files' profiles once none (nor any Parquet rendition) is pending any more (bounded wait: fails after 30 s).</summary>
    public static async Task<Dictionary<string, JsonElement>> SettledAsync(HttpClient client, string datasetId, int version = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // a hang detector, generous for a loaded machine
        while (true)
        {
            var manifest = await (await client.GetAsync($"/v1/datasets/{datasetId}/versions/{version}")).AssertJson();
            var profiles = manifest.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("profile"));
            if (profiles.Values.All(p => p.GetProperty("status").GetString() != "pending"
                && (p.GetProperty("parquet_rendition").ValueKind == JsonValueKind.Null || p.GetProperty("parquet_rendition").GetProperty("status").GetString() != "pending")))
            {
                return profiles;
            }

            Assert.True(DateTime.UtcNow < deadline, "Profiles still pending after 120 s: " + string.Join(", ", profiles.Keys));
            await Task.Delay(25);
        }
    }

    public static JsonElement Column(this JsonElement profile, string name) =>
        profile.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static string? Str(this JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetString();
}
