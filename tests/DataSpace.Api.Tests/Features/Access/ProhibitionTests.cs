namespace DataSpace.Api.Tests.Features.Access;

/// <summary>
/// The resale and onward-transfer prohibitions enforced where data is passed on: an organisation that accepted a parent
/// dataset's usage policy cannot publish a dataset whose provenance lineage names that parent when the policy prohibits
/// onward_transfer (any publication) or resale (a paid one, nor apply to list it), nor add such a parent to a published dataset.
/// </summary>
public sealed class ProhibitionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// An owner's paid parent whose terms carry <paramref name="prohibition"/>, and a consumer (a unit that also builds
    /// models) that accepted them.
    /// </summary>
    private async Task<(HttpClient Owner, HttpClient Consumer, string Parent)> AcceptedParentAsync(string prohibition)
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("禁止条款数源单位", "source_unit"));
        var consumer = await api.ClientFor(await api.OrganizationAsync("加工数据模型方", "source_unit", "model_builder"));
        var parent = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.jsonl"] = "{}\n"u8.ToArray() }, "paid");
        var terms = await (await owner.PutAsJsonAsync($"/v1/datasets/{parent}/terms", new
        {
            text = "不得转售，不得向第三方提供。", policy = new { prohibitions = new[] { prohibition } },
        }, Ct)).AssertJson();
        await (await consumer.PostAsJsonAsync($"/v1/datasets/{parent}/agreements", new { terms_version = terms.GetProperty("version").GetInt32(), purpose = "product_development" }, Ct))
            .AssertJson(HttpStatusCode.Created);
        return (owner, consumer, parent);
    }

    /// <summary>A draft derived from <paramref name="parents"/>, with one committed version.</summary>
    private static async Task<string> DerivedAsync(HttpClient consumer, string access, params string[] parents)
    {
        var fields = DatasetFlow.ValidFields("衍生数据集 " + Guid.NewGuid().ToString("N")[..6], access);
        var provenance = (Dictionary<string, object?>)fields["provenance"]!;
        provenance["source_type"] = parents.Length > 0 ? "derived" : "self_operated";
        provenance["lineage"] = parents;
        var dataset = await DatasetFlow.CreateAsync(consumer, fields);
        var version = await DatasetFlow.OpenVersionAsync(consumer, dataset);
        await (await DatasetFlow.UploadAsync(consumer, dataset, version, "derived.jsonl", "{\"x\":1}\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(consumer, dataset, version);
        return dataset;
    }

    private static async Task<string> StatusOf(HttpClient client, string dataset) =>
        (await (await client.GetAsync($"/v1/datasets/{dataset}", Ct)).AssertJson()).GetProperty("status").GetString()!;

    [Fact]
    public async Task A_parent_that_prohibits_resale_refuses_a_paid_derived_dataset_and_allows_an_open_one()
    {
        var (owner, consumer, parent) = await AcceptedParentAsync("resale");

        var paid = await DerivedAsync(consumer, "paid", parent);
        var refused = await (await consumer.PostAsync($"/v1/datasets/{paid}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "policy_resale_prohibited");
        Assert.Contains(parent, refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("draft", await StatusOf(consumer, paid));

        // Nor may it be offered for exchange: the listing application of the paid derived dataset is refused alike.
        var reports = await ListingFlow.AssessedAsync(api, consumer, paid);
        await (await consumer.PostAsJsonAsync($"/v1/datasets/{paid}/listings", ListingFlow.Application(reports), Ct))
            .AssertProblem(HttpStatusCode.Conflict, "policy_resale_prohibited");
        Assert.Equal(0, (await (await consumer.GetAsync("/v1/listings", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Count(l => l.GetProperty("dataset_id").GetString() == paid));

        var open = await DerivedAsync(consumer, "open", parent);
        await DatasetFlow.PublishAsync(consumer, open);
        Assert.Equal("published", await StatusOf(consumer, open));

        // The owner of the parent is not bound by its own policy.
        var own = await DerivedAsync(owner, "paid", parent);
        await DatasetFlow.PublishAsync(owner, own);
    }

    [Fact]
    public async Task A_parent_that_prohibits_onward_transfer_refuses_any_publication_and_a_published_dataset_cannot_gain_it_as_parent()
    {
        var (_, consumer, parent) = await AcceptedParentAsync("onward_transfer");

        var open = await DerivedAsync(consumer, "open", parent);
        await (await consumer.PostAsync($"/v1/datasets/{open}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "policy_onward_transfer_prohibited");
        Assert.Equal("draft", await StatusOf(consumer, open));

        var published = await DerivedAsync(consumer, "open");
        await DatasetFlow.PublishAsync(consumer, published);
        await (await consumer.PatchAsJsonAsync($"/v1/datasets/{published}", new
        {
            provenance = new { source_type = "derived", lineage = new[] { parent } },
        }, Ct)).AssertProblem(HttpStatusCode.Conflict, "policy_onward_transfer_prohibited");
        var kept = await (await consumer.GetAsync($"/v1/datasets/{published}", Ct)).AssertJson();
        Assert.Equal(0, kept.GetProperty("provenance").GetProperty("lineage").GetArrayLength());
    }
}
