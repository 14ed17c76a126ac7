namespace DataSpace.Api.Tests.Features.Authority;

/// <summary>
/// Every authority endpoint against every consent situation: {no consent, another unit's consent, another dataset,
/// wrong category, not yet valid, expired, revoked a moment ago, valid}. Each cell gets a unit and an authority of its
/// own, so the cells never see each other's consents.
/// </summary>
public sealed class ConsentGateMatrixTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Situation { None, AnotherUnits, AnotherDataset, WrongCategory, NotYetValid, Expired, RevokedAMomentAgo, Valid }

    public enum Endpoint { ListDatasets, Usage, DownloadPaidFile }

    /// <summary>The expected outcome of each cell: null means allowed.</summary>
    private static string? Expected(Situation situation, Endpoint endpoint) => situation switch
    {
        Situation.None or Situation.AnotherUnits => "consent_required",
        // A consent for another dataset still lets the unit-wide reads through, limited to that dataset.
        Situation.AnotherDataset => endpoint == Endpoint.DownloadPaidFile ? "consent_scope_mismatch" : null,
        Situation.WrongCategory => "consent_scope_mismatch",
        Situation.NotYetValid => "consent_not_yet_valid",
        Situation.Expired => "consent_expired",
        Situation.RevokedAMomentAgo => "consent_revoked",
        _ => null,
    };

    public static TheoryData<Situation, Endpoint> Cells()
    {
        var data = new TheoryData<Situation, Endpoint>();
        foreach (var s in Enum.GetValues<Situation>())
        {
            foreach (var e in Enum.GetValues<Endpoint>())
            {
                data.Add(s, e);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_authority_read_is_allowed_or_refused_with_its_reason(Situation situation, Endpoint endpoint)
    {
        var unitOrg = await api.OrganizationAsync("矩阵数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("矩阵主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var paid = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["销售明细.csv"] = "月份,金额\n2026-01,100\n"u8.ToArray() }, "paid");
        var other = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["other.csv"] = "x\n"u8.ToArray() });
        string[] both = ["dataset_files", "usage_statistics"];
        var now = DateTimeOffset.UtcNow;

        switch (situation)
        {
            case Situation.AnotherUnits:
                using (var otherUnit = await api.ClientFor(await api.OrganizationAsync("另一个数源单位", "source_unit")))
                {
                    await ConsentFlow.GrantAsync(otherUnit, ConsentFlow.Body(authorityOrg.OrganizationId, both));
                }

                break;
            case Situation.AnotherDataset:
                await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, both, [other]));
                break;
            case Situation.WrongCategory:
                await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["revenue", "dcmm_records"]));
                break;
            case Situation.NotYetValid:
                await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, both, null, now.AddHours(1), now.AddDays(10)));
                break;
            case Situation.Expired:
                await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, both, null, now.AddMinutes(-5), now.AddMinutes(2)));
                api.Clock.Advance(TimeSpan.FromMinutes(3));
                break;
            case Situation.RevokedAMomentAgo:
                var id = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, both));
                await (await unit.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { reason = "立即撤销" }, Ct)).AssertJson();
                break;
            case Situation.Valid:
                await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, both));
                break;
        }

        try
        {
            var response = await authority.GetAsync(endpoint switch
            {
                Endpoint.ListDatasets => $"/v1/authority/units/{unitOrg.OrganizationId}/datasets",
                Endpoint.Usage => $"/v1/authority/units/{unitOrg.OrganizationId}/usage",
                _ => DatasetFlow.FileUrl(paid, 1, "销售明细.csv"),
            }, Ct);

            var expected = Expected(situation, endpoint);
            if (expected is not null)
            {
                var problem = await response.AssertProblem(HttpStatusCode.Forbidden, expected);
                Assert.Equal(endpoint == Endpoint.Usage ? "usage_statistics" : "dataset_files", problem.GetProperty("category").GetString());
                return;
            }

            Assert.True(response.IsSuccessStatusCode, $"{situation} {endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            if (endpoint == Endpoint.ListDatasets)
            {
                var ids = (await response.AssertJson()).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
                Assert.Equal(situation == Situation.AnotherDataset ? [other] : [other, paid], ids);
            }
        }
        finally
        {
            if (situation == Situation.Expired)
            {
                api.Clock.Advance(TimeSpan.FromMinutes(-3));
            }
        }
    }

    [Fact]
    public async Task A_consent_is_valid_from_its_first_instant_and_not_at_its_last()
    {
        var unitOrg = await api.OrganizationAsync("边界数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("边界主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var from = DateTimeOffset.UtcNow.AddMinutes(10);
        var until = from.AddMinutes(20);
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], null, from, until));
        var url = $"/v1/authority/units/{unitOrg.OrganizationId}/datasets";

        try
        {
            api.Clock.Freeze(from.AddTicks(-10));
            await (await authority.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_not_yet_valid");
            api.Clock.Freeze(from);
            Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync(url, Ct)).StatusCode);
            api.Clock.Freeze(until.AddTicks(-10));
            Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync(url, Ct)).StatusCode);
            api.Clock.Freeze(until);
            await (await authority.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_expired");
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    [Fact]
    public async Task A_revocation_counts_in_the_same_second()
    {
        var unitOrg = await api.OrganizationAsync("同秒撤销数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("同秒撤销主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var id = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"]));
        var url = $"/v1/authority/units/{unitOrg.OrganizationId}/datasets";
        api.Clock.Freeze(DateTimeOffset.UtcNow);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync(url, Ct)).StatusCode);
            await (await unit.PostAsJsonAsync($"/v1/consents/{id}/revoke", new { reason = "同一秒内撤销" }, Ct)).AssertJson();
            await (await authority.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_revoked");
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    [Fact]
    public async Task The_most_specific_consent_is_the_one_recorded()
    {
        var unitOrg = await api.OrganizationAsync("多重授权数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("多重授权主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var paid = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() }, "paid");
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files", "usage_statistics"]));
        var specific = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], [paid]));

        Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync(DatasetFlow.FileUrl(paid, 1, "a.csv"), Ct)).StatusCode);

        var audit = await (await unit.GetAsync("/v1/audit?action=downloaded", Ct)).AssertJson();
        var read = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("object_id").GetString()!.StartsWith(paid, StringComparison.Ordinal));
        Assert.Equal("consent", read.GetProperty("basis").GetProperty("type").GetString());
        Assert.Equal(specific, read.GetProperty("basis").GetProperty("id").GetString());
        Assert.Equal(authorityOrg.OrganizationId, read.GetProperty("actor").GetProperty("organization_id").GetString());
    }

    [Fact]
    public async Task A_consent_read_needs_the_consents_scope_on_every_path()
    {
        var unitOrg = await api.OrganizationAsync("范围数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("范围主管部门", "authority");
        var paid = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["付费.csv"] = "月份,金额\n2026-01,100\n"u8.ToArray() }, "paid");
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"]));
        using var catalogOnly = await api.ClientFor(authorityOrg, "catalog");
        using var withConsents = await api.ClientFor(authorityOrg, "catalog consents");
        var file = DatasetFlow.FileUrl(paid, 1, "付费.csv");

        await (await catalogOnly.GetAsync(file, Ct)).AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
        using (var head = new HttpRequestMessage(HttpMethod.Head, file))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await catalogOnly.SendAsync(head, Ct)).StatusCode);
        }

        await (await catalogOnly.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/datasets", Ct)).AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal("月份,金额\n2026-01,100\n", await (await withConsents.GetAsync(file, Ct)).Content.ReadAsStringAsync(Ct));

        var audit = await (await unit.GetAsync("/v1/audit?action=downloaded", Ct)).AssertJson();
        Assert.Single(audit.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_list_of_datasets_under_several_consents_records_the_consent_of_each_row()
    {
        var unitOrg = await api.OrganizationAsync("多授权列表数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authorityOrg = await api.OrganizationAsync("多授权列表主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var first = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() }, "paid");
        var second = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["b.csv"] = "b\n"u8.ToArray() }, "paid");
        var forFirst = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], [first]));
        var forSecond = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"], [second]));

        var response = await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/datasets", Ct);

        Assert.Equal(2, (await response.AssertJson()).GetProperty("items").GetArrayLength());
        Assert.Equal(new[] { forFirst, forSecond }.Order(), response.Headers.GetValues("X-DataSpace-Consent").Single().Split(", ").Order());
        var reads = (await (await unit.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("object_type").GetString() == "datasets").ToList();
        Assert.Equal(2, reads.Count);
        var bases = reads.ToDictionary(e => e.GetProperty("basis").GetProperty("id").GetString()!, e => e.GetProperty("details").GetProperty("dataset_ids").EnumerateArray().Select(d => d.GetString()).ToList());
        Assert.Equal([first], bases[forFirst]);
        Assert.Equal([second], bases[forSecond]);
    }

    [Fact]
    public async Task Open_published_data_needs_no_consent()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("开放数据单位", "source_unit"));
        using var authority = await api.ClientFor(await api.OrganizationAsync("开放数据读者", "authority"));
        var open = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["open.csv"] = "o\n"u8.ToArray() });
        Assert.Equal(HttpStatusCode.OK, (await authority.GetAsync(DatasetFlow.FileUrl(open, 1, "open.csv"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Model_builders_have_no_authority_endpoints()
    {
        var unitOrg = await api.OrganizationAsync("被窥探的数源单位", "source_unit");
        using var builder = await api.ClientFor(await api.OrganizationAsync("好奇的模型方", "model_builder"));
        await (await builder.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/datasets", Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }
}
