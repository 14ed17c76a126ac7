using Dapper;
using DataSpace.Api.Features.Audit;

namespace DataSpace.Api.Tests.Features.Audit;

public sealed class AuditChainTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_writers_never_fork_the_chain()
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(api.ConnectionString);
        var chain = new AuditChain(db, TimeProvider.System);
        var actor = new AuditActor(null, "test", "parallel");

        var seqs = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => chain.AppendAsync(new AuditEntry(actor, null, "test", $"writer-{i}", "appended", Details: new { i }), Ct), Ct)));

        Assert.Equal(seqs.Length, seqs.Distinct().Count());
        var verification = await chain.VerifyAsync(Ct);
        Assert.Null(verification.FirstBrokenSeq);
        await using var conn = await db.OpenConnectionAsync(Ct);
        Assert.Equal(verification.Length, await conn.ExecuteScalarAsync<long>("select max(seq) from audit_events"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("select count(*) from audit_events a join audit_events b on a.prev_hash = b.prev_hash and a.seq <> b.seq"));
    }

    [Fact]
    public async Task The_table_refuses_update_delete_and_truncate()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("审计数源单位", "source_unit"));
        await DatasetFlow.CreateAsync(unit);
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("update audit_events set action = 'nothing happened'"));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("delete from audit_events"));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("truncate audit_events"));
    }

    [Fact]
    public async Task Verify_reports_length_and_head_and_documents_the_canonical_form()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("核验数源单位", "source_unit"));
        await DatasetFlow.CreateAsync(unit);
        var result = await (await unit.GetAsync("/v1/audit/verify", Ct)).AssertJson();
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.True(result.GetProperty("length").GetInt64() > 0);
        Assert.Equal(64, result.GetProperty("head_hash").GetString()!.Length);
        Assert.Contains("dataspace-audit-v1", result.GetProperty("canonical_form").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owners_see_reads_of_their_data_but_not_which_consumer_downloaded_open_files()
    {
        var unitOrg = await api.OrganizationAsync("可见性数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var builderOrg = await api.OrganizationAsync("匿名的模型方", "model_builder");
        using var builder = await api.ClientFor(builderOrg);
        var authorityOrg = await api.OrganizationAsync("具名的主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        var open = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() });
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["usage_statistics"]));
        await builder.GetByteArrayAsync(DatasetFlow.FileUrl(open, 1, "a.csv"), Ct);
        await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/usage", Ct)).AssertJson();

        var events = (await (await unit.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray().ToList();

        var download = events.Single(e => e.GetProperty("action").GetString() == "downloaded");
        Assert.Equal(JsonValueKind.Null, download.GetProperty("actor").ValueKind);
        Assert.Equal("open", download.GetProperty("basis").GetProperty("type").GetString());
        Assert.DoesNotContain(builderOrg.OrganizationId, download.GetRawText(), StringComparison.Ordinal);
        var read = events.Single(e => e.GetProperty("action").GetString() == "read");
        Assert.Equal(authorityOrg.OrganizationId, read.GetProperty("actor").GetProperty("organization_id").GetString());
        Assert.Equal("consent", read.GetProperty("basis").GetProperty("type").GetString());
        Assert.All(events, e => Assert.Equal(unitOrg.OrganizationId, e.GetProperty("subject_organization_id").GetString()));

        using var op = await api.OperatorClient();
        var all = await (await op.GetAsync("/v1/audit?action=downloaded&limit=100", Ct)).AssertJson();
        Assert.Contains(all.GetProperty("items").EnumerateArray(), e => e.GetProperty("actor").ValueKind != JsonValueKind.Null
            && e.GetProperty("actor").GetProperty("organization_id").GetString() == builderOrg.OrganizationId);
    }

    [Fact]
    public async Task Others_do_not_see_events_about_a_units_data()
    {
        var unitOrg = await api.OrganizationAsync("隐私数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var id = await DatasetFlow.CreateAsync(unit);
        using var stranger = await api.ClientFor(await api.OrganizationAsync("旁观者", "model_builder"));
        var seen = await (await stranger.GetAsync("/v1/audit?limit=100", Ct)).AssertJson();
        Assert.DoesNotContain(seen.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == id);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=-1", "cursor")]
    [InlineData("cursor=abc", "cursor")]
    public async Task Bad_audit_parameters_are_validation_problems(string query, string field)
    {
        using var client = await api.ClientFor(await api.OrganizationAsync("参数审计单位", "source_unit"));
        var problem = await (await client.GetAsync("/v1/audit?" + query, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }
}

/// <summary>Tampering needs a chain of its own: the test breaks it on purpose.</summary>
public sealed class AuditTamperTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task An_altered_row_is_named_by_verify()
    {
        var ct = TestContext.Current.CancellationToken;
        using var unit = await api.ClientFor(await api.OrganizationAsync("被篡改的数源单位", "source_unit"));
        for (var i = 0; i < 5; i++)
        {
            await DatasetFlow.CreateAsync(unit);
        }

        var before = await (await unit.GetAsync("/v1/audit/verify", ct)).AssertJson();
        Assert.True(before.GetProperty("valid").GetBoolean());
        await using (var conn = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await conn.ExecuteAsync("""
                alter table audit_events disable trigger audit_events_append_only;
                update audit_events set details = '{"title":"改写过的标题"}' where seq = 3;
                alter table audit_events enable trigger audit_events_append_only;
                """);
        }

        var after = await (await unit.GetAsync("/v1/audit/verify", ct)).AssertJson();

        Assert.False(after.GetProperty("valid").GetBoolean());
        Assert.Equal(3, after.GetProperty("first_broken_seq").GetInt64());
        Assert.Equal(2, after.GetProperty("length").GetInt64());
        Assert.Contains("altered", after.GetProperty("problem").GetString(), StringComparison.Ordinal);
    }
}
