namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>Reading a reward run's lines the way a client does: page by page, following next_cursor to the end.</summary>
public static class RewardFlow
{
    public static async Task<List<JsonElement>> LinesAsync(HttpClient client, string runId, int limit = 100)
    {
        var lines = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync(
                $"/v1/reward-runs/{runId}/lines?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"),
                TestContext.Current.CancellationToken)).AssertJson();
            lines.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.String ? page.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);

        return lines;
    }
}
