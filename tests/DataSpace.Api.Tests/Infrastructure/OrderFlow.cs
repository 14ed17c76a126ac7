namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>The paid-data flow through the API — terms, plan, acceptance, order — for tests that need an order to exist.</summary>
public static class OrderFlow
{
    /// <summary>Sets the seller's paid dataset's terms and a plan; returns the terms version and the plan id.</summary>
    public static async Task<(int TermsVersion, string PlanId)> OfferAsync(
        HttpClient seller, string dataset, long priceFen, string kind = "one_time", string? period = null, string terms = "仅限购买方内部模型训练。")
    {
        var version = (await (await seller.PutAsJsonAsync($"/v1/datasets/{dataset}/terms", new { text = terms })).AssertJson()).GetProperty("version").GetInt32();
        var plan = (await (await seller.PostAsJsonAsync($"/v1/datasets/{dataset}/plans", new { kind, period, price_fen = priceFen })).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        return (version, plan);
    }

    /// <summary>The buyer accepts this version of the terms; returns the accepted text's SHA-256.</summary>
    public static async Task<string> AcceptAsync(HttpClient buyer, string dataset, int termsVersion) =>
        (await (await buyer.PostAsJsonAsync($"/v1/datasets/{dataset}/agreements", new { terms_version = termsVersion })).AssertJson(HttpStatusCode.Created))
            .GetProperty("terms_sha256").GetString()!;

    /// <summary>An order request with an Idempotency-Key (a fresh one unless given).</summary>
    public static HttpRequestMessage OrderRequest(string plan, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(new { plan_id = plan }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return request;
    }

    /// <summary>Places an order for the plan; returns its id.</summary>
    public static async Task<string> PlaceAsync(HttpClient buyer, string plan) =>
        (await (await buyer.SendAsync(OrderRequest(plan))).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
}
