namespace DataSpace.Api.Tests.Features.Consents;

public sealed class ConsentTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Unit, Credentials UnitOrg, HttpClient Authority, Credentials AuthorityOrg)> Parties()
    {
        var unitOrg = await api.OrganizationAsync("授权数源单位", "source_unit");
        var authorityOrg = await api.OrganizationAsync("中山市工业和信息化局", "authority");
        return (await api.ClientFor(unitOrg), unitOrg, await api.ClientFor(authorityOrg), authorityOrg);
    }

    [Fact]
    public async Task A_unit_grants_an_authority_consent_and_both_see_it()
    {
        var (unit, unitOrg, authority, authorityOrg) = await Parties();
        var dataset = await DatasetFlow.CreateAsync(unit);

        var response = await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files", "usage_statistics"], [dataset]), Ct);

        var consent = await response.AssertJson(HttpStatusCode.Created);
        Assert.Equal("active", consent.GetProperty("status").GetString());
        Assert.Equal(unitOrg.OrganizationId, consent.GetProperty("grantor").GetProperty("id").GetString());
        Assert.Equal("中山市工业和信息化局", consent.GetProperty("grantee").GetProperty("name").GetString());
        Assert.False(consent.GetProperty("all_datasets").GetBoolean());
        var id = consent.GetProperty("id").GetString();
        var received = await (await authority.GetAsync("/v1/consents?direction=received", Ct)).AssertJson();
        Assert.Contains(received.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        var granted = await (await unit.GetAsync("/v1/consents?direction=granted", Ct)).AssertJson();
        Assert.Contains(granted.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync($"/v1/consents/{id}", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("model_builder")]
    [InlineData("source_unit")]
    public async Task Granting_to_an_organisation_that_is_not_an_authority_is_refused(string role)
    {
        var (unit, _, _, _) = await Parties();
        var other = await api.OrganizationAsync("非主管部门", role);
        var problem = await (await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(other.OrganizationId, ["revenue"]), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["grantee"], problem.ErrorFields());
    }

    [Fact]
    public async Task Granting_to_oneself_is_refused()
    {
        var both = await api.OrganizationAsync("既是数源单位又是主管部门", "source_unit", "authority");
        using var client = await api.ClientFor(both);
        var problem = await (await client.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(both.OrganizationId, ["revenue"]), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["grantee"], problem.ErrorFields());
    }

    [Fact]
    public async Task A_consent_for_a_dataset_one_does_not_own_is_refused()
    {
        var (unit, _, _, authorityOrg) = await Parties();
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("别家数源单位", "source_unit"));
        var theirs = await DatasetFlow.CreateAsync(otherUnit);
        var problem = await (await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], [theirs]), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["dataset_ids"], problem.ErrorFields());
    }

    [Fact]
    public async Task A_window_ending_before_it_starts_or_in_the_past_is_refused()
    {
        var (unit, _, _, authorityOrg) = await Parties();
        var now = DateTimeOffset.UtcNow;
        var backwards = await (await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue"], null, now.AddDays(2), now.AddDays(1)), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["valid_until"], backwards.ErrorFields());
        var past = await (await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue"], null, now.AddDays(-9), now.AddDays(-1)), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["valid_until"], past.ErrorFields());
    }

    [Fact]
    public async Task Unknown_or_repeated_categories_and_missing_fields_are_named()
    {
        var (unit, _, _, authorityOrg) = await Parties();
        var unknown = await (await unit.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["everything", "revenue", "revenue"]), Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["categories"], unknown.ErrorFields());
        Assert.Equal(2, unknown.GetProperty("errors").GetProperty("categories").GetArrayLength());

        var empty = await (await unit.PostAsJsonAsync("/v1/consents", new { }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        foreach (var field in new[] { "grantee", "categories", "all_datasets", "purpose.code", "purpose.text", "legal_basis", "valid_from", "valid_until" })
        {
            Assert.Contains(field, empty.ErrorFields());
        }
    }

    [Fact]
    public async Task Revoking_twice_is_a_conflict_and_only_the_grantor_revokes()
    {
        var (unit, _, authority, authorityOrg) = await Parties();
        var id = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue"]));

        await (await authority.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { reason = "我想撤销" }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        await (await unit.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        var revoked = await (await unit.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { reason = "合作结束" }, Ct)).AssertJson();
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("合作结束", revoked.GetProperty("revoke_reason").GetString());
        await (await unit.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { reason = "再撤一次" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "consent_already_revoked");
    }

    [Fact]
    public async Task Strangers_do_not_see_a_consent_and_model_builders_cannot_grant()
    {
        var (unit, _, _, authorityOrg) = await Parties();
        var id = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue"]));
        using var otherAuthority = await api.ClientFor(await api.OrganizationAsync("另一主管部门", "authority"));
        await (await otherAuthority.GetAsync($"/v1/consents/{id}", Ct)).AssertProblem(HttpStatusCode.NotFound, "consent_not_found");
        using var builder = await api.ClientFor(await api.OrganizationAsync("模型方", "model_builder"));
        await (await builder.PostAsJsonAsync("/v1/consents", ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue"]), Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }
}
