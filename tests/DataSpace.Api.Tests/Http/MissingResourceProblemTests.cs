namespace DataSpace.Api.Tests.Http;

/// <summary>
/// A lookup of something that does not exist (or is not the caller's to see) answers 404 with the code that names
/// the kind of thing, never a bare not_found: a client switches on it, and the document lists it per operation.
/// </summary>
public sealed class MissingResourceProblemTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_missing_thing_is_named_by_its_own_code()
    {
        var missing = Guid.NewGuid();
        using var builder = await api.ClientFor(await api.OrganizationAsync("查无此物模型方", "model_builder"));
        await (await builder.GetAsync($"/v1/access-requests/{missing}", Ct)).AssertProblem(HttpStatusCode.NotFound, "access_request_not_found");
        await (await builder.PostAsync($"/v1/grants/{missing}/accept", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "grant_not_found");

        using var assessor = await api.ClientFor(await api.OrganizationAsync("查无此物评估机构", "assessor"));
        await (await assessor.GetAsync($"/v1/assessment-invitations/{missing}", Ct)).AssertProblem(HttpStatusCode.NotFound, "assessment_invitation_not_found");

        using var bureau = await api.ClientFor(await api.OrganizationAsync("查无此物数据局", "data_bureau"));
        await (await bureau.GetAsync($"/v1/reward-policies/{missing}", Ct)).AssertProblem(HttpStatusCode.NotFound, "reward_policy_not_found");
        await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = missing.ToString() }, Ct)).AssertProblem(HttpStatusCode.NotFound, "reward_policy_not_found");

        // A webhook endpoint of the caller's own, without that delivery.
        using var unit = await api.ClientFor(await api.OrganizationAsync("查无此物数源单位", "source_unit"));
        await (await unit.PostAsJsonAsync($"/v1/grants/{missing}/revoke", new { reason = "测试" }, Ct)).AssertProblem(HttpStatusCode.NotFound, "grant_not_found");
        var endpoint = (await (await unit.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/dataspace", events = new[] { "order.paid" } }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("endpoint").GetProperty("id").GetString();
        await (await unit.PostAsync($"/v1/webhook-endpoints/{endpoint}/deliveries/{missing}/redeliver", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "webhook_delivery_not_found");
    }
}
