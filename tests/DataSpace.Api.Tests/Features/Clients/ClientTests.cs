using Dapper;

namespace DataSpace.Api.Tests.Features.Clients;

public sealed class ClientTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> NewOrganization(params string[] roles)
    {
        using var op = await api.OperatorClient();
        var created = await (await op.PostAsJsonAsync("/v1/organizations", new { name = "客户端测试单位" + Guid.NewGuid().ToString("N")[..6], unified_social_credit_code = Uscc.Random(), roles }, Ct))
            .AssertJson(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_new_client_gets_a_256_bit_secret_once_and_only_its_hash_is_stored()
    {
        var orgId = await NewOrganization("source_unit");
        using var op = await api.OperatorClient();

        var response = await op.PostAsJsonAsync($"/v1/organizations/{orgId}/clients", new { name = "数据上传流水线" }, Ct);

        var created = await response.AssertJson(HttpStatusCode.Created);
        var secret = created.GetProperty("client_secret").GetString()!;
        Assert.StartsWith("dss_", secret, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(Pad(secret[4..])).Length >= 32);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(["catalog", "publish", "consents", "rewards", "records", "audit", "webhooks"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));

        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        var stored = await conn.QuerySingleAsync<byte[]>("select secret_sha256 from api_clients where client_id = @id", new { id = created.GetProperty("client_id").GetString() });
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), stored);
        var text = await conn.QuerySingleAsync<string>("select row_to_json(c)::text from api_clients c where client_id = @id", new { id = created.GetProperty("client_id").GetString() });
        Assert.DoesNotContain(secret[4..], text, StringComparison.Ordinal);

        var list = (await (await op.GetAsync($"/v1/organizations/{orgId}/clients", Ct)).AssertJson()).GetProperty("items");
        Assert.Single(list.EnumerateArray());
        Assert.False(list[0].TryGetProperty("client_secret", out _));
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    [Fact]
    public async Task Scopes_can_be_narrowed_at_creation()
    {
        var orgId = await NewOrganization("model_builder");
        using var op = await api.OperatorClient();
        var created = await (await op.PostAsJsonAsync($"/v1/organizations/{orgId}/clients", new { name = "只读下载任务", scopes = new[] { "catalog" } }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(["catalog"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("publish")]
    [InlineData("root")]
    public async Task A_scope_the_roles_do_not_allow_is_a_validation_problem(string scope)
    {
        var orgId = await NewOrganization("model_builder");
        using var op = await api.OperatorClient();
        var problem = await (await op.PostAsJsonAsync($"/v1/organizations/{orgId}/clients", new { name = "越权客户端", scopes = new[] { scope } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["scopes"], problem.ErrorFields());
    }

    [Fact]
    public async Task A_client_without_a_name_is_a_validation_problem()
    {
        var orgId = await NewOrganization("authority");
        using var op = await api.OperatorClient();
        var problem = await (await op.PostAsJsonAsync($"/v1/organizations/{orgId}/clients", new { scopes = Array.Empty<string>() }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["name", "scopes"], problem.ErrorFields().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_client_for_an_unknown_organisation_is_404()
    {
        using var op = await api.OperatorClient();
        await (await op.PostAsJsonAsync($"/v1/organizations/{Guid.NewGuid()}/clients", new { name = "x" }, Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
        await (await op.GetAsync($"/v1/organizations/{Guid.NewGuid()}/clients", Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
    }

    [Fact]
    public async Task Disabling_an_unknown_client_is_404_and_disabling_twice_is_harmless()
    {
        var org = await api.OrganizationAsync("停用两次单位", "model_builder");
        using var op = await api.OperatorClient();
        await (await op.DeleteAsync("/v1/clients/dsc_nobody", Ct)).AssertProblem(HttpStatusCode.NotFound, "client_not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/v1/clients/{org.ClientId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/v1/clients/{org.ClientId}", Ct)).StatusCode);
        var list = (await (await op.GetAsync($"/v1/organizations/{org.OrganizationId}/clients", Ct)).AssertJson()).GetProperty("items");
        Assert.NotEqual(JsonValueKind.Null, list[0].GetProperty("disabled_at").ValueKind);
    }

    [Fact]
    public async Task Clients_are_listed_in_pages_with_the_shared_limit_rule()
    {
        var org = await api.OrganizationAsync("分页客户端单位", "model_builder");
        using var op = await api.OperatorClient();
        for (var i = 0; i < 2; i++)
        {
            await (await op.PostAsJsonAsync($"/v1/organizations/{org.OrganizationId}/clients", new { name = $"客户端{i}" }, Ct)).AssertJson(HttpStatusCode.Created);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await op.GetAsync($"/v1/organizations/{org.OrganizationId}/clients?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"), Ct)).AssertJson();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(3, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Contains(org.ClientId, seen);
        var tooMany = await (await op.GetAsync($"/v1/organizations/{org.OrganizationId}/clients?limit=101", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["limit"], tooMany.ErrorFields());
        await (await op.GetAsync($"/v1/organizations/{org.OrganizationId}/clients?cursor=%%%", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Disabling_one_client_leaves_the_organisations_other_clients_working()
    {
        var org = await api.OrganizationAsync("多客户端单位", "model_builder");
        using var op = await api.OperatorClient();
        var second = await (await op.PostAsJsonAsync($"/v1/organizations/{org.OrganizationId}/clients", new { name = "第二个客户端" }, Ct)).AssertJson(HttpStatusCode.Created);
        using var secondClient = await api.ClientFor(new Credentials(org.OrganizationId, second.GetProperty("client_id").GetString()!, second.GetProperty("client_secret").GetString()!));

        await op.DeleteAsync($"/v1/clients/{org.ClientId}", Ct);

        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/v1/organizations/me", Ct)).StatusCode);
    }
}
