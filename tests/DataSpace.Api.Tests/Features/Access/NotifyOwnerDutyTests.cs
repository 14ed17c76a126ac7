using System.Net.Http.Headers;
using DataSpace.Api.Tests.Features.Webhooks;

namespace DataSpace.Api.Tests.Features.Access;

/// <summary>
/// The notify_owner duty carried out per use: each complete download under a policy with it (a whole file, or the range
/// that sends the file's last byte) is recorded in the owner's audit trail and sent to the owner's webhook endpoints as
/// dataset.used, signed per Standard Webhooks; a partial range that stops short owes nothing.
/// </summary>
public sealed class NotifyOwnerDutyTests(LoopbackWebhookApi fixture) : IClassFixture<LoopbackWebhookApi>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private DataSpaceApiFactory Api => fixture.Api;
    private const string File = "样本.jsonl";
    private static readonly byte[] Content = "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"u8.ToArray();

    private async Task<string> RangeAsync(HttpClient consumer, string dataset, long from, long? to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(dataset, 1, File));
        request.Headers.Range = new RangeHeaderValue(from, to);
        var response = await consumer.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        await Api.UsageEventsSettledAsync(dataset);
        return dataset;
    }

    private static async Task<List<JsonElement>> UsesAsync(HttpClient owner) =>
        [.. (await (await owner.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == "file" && e.GetProperty("action").GetString() == "used")];

    [Fact]
    public async Task Each_complete_download_under_the_duty_notifies_the_owner_and_a_partial_range_does_not()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var ownerOrg = await Api.OrganizationAsync("通知义务数源单位", "source_unit");
        using var owner = await Api.ClientFor(ownerOrg);
        var (_, secret) = await WebhookTests.RegisterAsync(owner, receiver.Url("/owner"), "dataset.used");
        var consumerOrg = await Api.OrganizationAsync("通知义务模型方", "model_builder");
        using var consumer = await Api.ClientFor(consumerOrg);

        var dataset = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { [File] = Content });
        await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new { policy = "approval" }, Ct)).AssertJson();
        var terms = await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/terms", new
        {
            text = "每次使用须告知数据提供方。", policy = new { duties = new[] { "notify_owner" } },
        }, Ct)).AssertJson();
        var request = (await (await consumer.PostAsJsonAsync($"/v1/datasets/{dataset}/access-requests", new
        {
            purpose = "model_evaluation", use_case = "评测", contact = "王工", disclose_identity = true,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var grant = (await (await owner.PostAsJsonAsync($"/v1/access-requests/{request}/approve", new { }, Ct)).AssertJson()).GetProperty("grant_id").GetString();
        await (await consumer.PostAsJsonAsync($"/v1/datasets/{dataset}/agreements", new { terms_version = 1 }, Ct)).AssertJson(HttpStatusCode.Created);

        // One whole download, then a download cut in two: its first range stops short, its second sends the last byte.
        Assert.Equal(HttpStatusCode.OK, (await consumer.GetAsync(DatasetFlow.FileUrl(dataset, 1, File), Ct)).StatusCode);
        await Api.UsageEventsSettledAsync(dataset);
        await RangeAsync(consumer, dataset, 0, Content.Length / 2 - 1);
        Assert.Single(await UsesAsync(owner));
        await RangeAsync(consumer, dataset, Content.Length / 2, null);
        // The owner's own download owes nothing.
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(DatasetFlow.FileUrl(dataset, 1, File), Ct)).StatusCode);
        await Api.UsageEventsSettledAsync(dataset);

        var uses = await UsesAsync(owner);
        Assert.Equal(2, uses.Count);
        Assert.All(uses, u =>
        {
            Assert.Equal("approval", u.GetProperty("basis").GetProperty("type").GetString());
            Assert.Equal(grant, u.GetProperty("basis").GetProperty("id").GetString());
        });

        var got = await receiver.WaitForAsync(r => r.Path == "/owner", 2);
        await WebhookReceiver.VerifyAllAsync(got.Select(r => (r, secret)), Ct);
        Assert.All(got, r =>
        {
            Assert.Equal("dataset.used", r.Payload.GetProperty("type").GetString());
            var data = r.Payload.GetProperty("data");
            Assert.Equal(dataset, data.GetProperty("dataset_id").GetString());
            Assert.Equal(consumerOrg.OrganizationId, data.GetProperty("consumer_id").GetString());
            Assert.Equal(File, data.GetProperty("path").GetString());
            Assert.Equal("model_evaluation", data.GetProperty("purpose").GetString());
            Assert.Equal(terms.GetProperty("policy_sha256").GetString(), data.GetProperty("policy_sha256").GetString());
        });
        Assert.Equal(2, got.Select(r => r.Id).Distinct().Count());
    }
}
