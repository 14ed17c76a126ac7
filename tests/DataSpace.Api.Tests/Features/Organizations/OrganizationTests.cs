using System.Text;

namespace DataSpace.Api.Tests.Features.Organizations;

public sealed class OrganizationTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Operator_registers_an_organisation_with_a_Chinese_name_and_reads_it_back()
    {
        using var op = await api.OperatorClient();
        var uscc = Uscc.Random();

        var response = await op.PostAsJsonAsync("/v1/organizations",
            new { name = "中山市古镇灯饰数据服务有限公司 (Guzhen Lighting Data)", unified_social_credit_code = uscc, roles = new[] { "source_unit", "model_builder" } }, Ct);

        var created = await response.AssertJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/organizations/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(uscc, created.GetProperty("unified_social_credit_code").GetString());
        Assert.Contains("古镇灯饰", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal); // not \u-escaped
        var fetched = await (await op.GetAsync($"/v1/organizations/{id}", Ct)).AssertJson();
        Assert.Equal("中山市古镇灯饰数据服务有限公司 (Guzhen Lighting Data)", fetched.GetProperty("name").GetString());
        Assert.Equal(["source_unit", "model_builder"], fetched.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
        Assert.EndsWith("+00:00", fetched.GetProperty("created_at").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lower_case_credit_code_is_normalised_to_upper_case()
    {
        using var op = await api.OperatorClient();
        var uscc = Uscc.Random();
        var created = await (await op.PostAsJsonAsync("/v1/organizations",
            new { name = "小写代码单位", unified_social_credit_code = " " + uscc.ToLowerInvariant() + " ", roles = new[] { "authority" } }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(uscc, created.GetProperty("unified_social_credit_code").GetString());
    }

    [Fact]
    public async Task A_registered_credit_code_is_a_conflict_and_changes_nothing()
    {
        using var op = await api.OperatorClient();
        var uscc = Uscc.Random();
        var first = await (await op.PostAsJsonAsync("/v1/organizations", new { name = "先注册单位", unified_social_credit_code = uscc, roles = new[] { "source_unit" } }, Ct)).AssertJson(HttpStatusCode.Created);

        var second = await op.PostAsJsonAsync("/v1/organizations", new { name = "后注册单位", unified_social_credit_code = uscc, roles = new[] { "model_builder" } }, Ct);

        var problem = await second.AssertProblem(HttpStatusCode.Conflict, "organization_exists");
        // The operator's script that registers twice learns whom the code belongs to, and can carry on with it.
        Assert.Equal(first.GetProperty("id").GetString(), problem.GetProperty("organization_id").GetString());
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new Npgsql.NpgsqlCommand("select name from organizations where unified_social_credit_code = @c", conn);
        cmd.Parameters.AddWithValue("c", uscc);
        Assert.Equal("先注册单位", await cmd.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_code_create_exactly_one_organisation()
    {
        using var op = await api.OperatorClient();
        var uscc = Uscc.Random();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            op.PostAsJsonAsync("/v1/organizations", new { name = $"并发注册{i}", unified_social_credit_code = uscc, roles = new[] { "source_unit" } }, Ct)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task A_wrong_check_character_is_a_validation_problem_naming_the_field()
    {
        using var op = await api.OperatorClient();
        var good = Uscc.Random();
        var bad = good[..17] + (good[17] == '0' ? '1' : '0');

        var problem = await (await op.PostAsJsonAsync("/v1/organizations", new { name = "校验位错误单位", unified_social_credit_code = bad, roles = new[] { "source_unit" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(["unified_social_credit_code"], problem.ErrorFields());
        Assert.Contains("check character", problem.GetProperty("errors").GetProperty("unified_social_credit_code")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_fields_are_all_named_at_once()
    {
        using var op = await api.OperatorClient();
        var problem = await (await op.PostAsJsonAsync("/v1/organizations", new { }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["name", "roles", "unified_social_credit_code"], problem.ErrorFields().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"name":"x","unified_social_credit_code":"91350100M000100Y43","roles":["superuser"]}""", "roles")]
    [InlineData("""{"name":"x","unified_social_credit_code":"91350100M000100Y43","roles":[]}""", "roles")]
    [InlineData("""{"name":"x","unified_social_credit_code":"91350100M000100Y43","roles":["authority","authority"]}""", "roles")]
    [InlineData("""{"name":"   ","unified_social_credit_code":"91350100M000100Y43","roles":["authority"]}""", "name")]
    [InlineData("""{"name":"a\u0007b","unified_social_credit_code":"91350100M000100Y43","roles":["authority"]}""", "name")]
    public async Task Bad_field_values_are_validation_problems(string json, string field)
    {
        using var op = await api.OperatorClient();
        var response = await op.PostAsync("/v1/organizations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_name_longer_than_200_characters_is_refused()
    {
        using var op = await api.OperatorClient();
        var problem = await (await op.PostAsJsonAsync("/v1/organizations",
            new { name = new string('长', 201), unified_social_credit_code = Uscc.Random(), roles = new[] { "authority" } }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["name"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("not json")]
    [InlineData("""{"name":"x","unified_social_credit_code":"91350100M000100Y43","roles":"source_unit"}""")]
    [InlineData("""{"name":42,"unified_social_credit_code":"91350100M000100Y43","roles":["source_unit"]}""")]
    [InlineData("[1,2,3]")]
    public async Task Malformed_json_and_wrong_types_are_malformed_json_problems(string json)
    {
        using var op = await api.OperatorClient();
        var response = await op.PostAsync("/v1/organizations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        await response.AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Fact]
    public async Task The_wrong_type_problem_names_the_json_path()
    {
        using var op = await api.OperatorClient();
        var response = await op.PostAsync("/v1/organizations",
            new StringContent("""{"name":"x","unified_social_credit_code":"91350100M000100Y43","roles":"source_unit"}""", Encoding.UTF8, "application/json"), Ct);
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "malformed_json");
        Assert.Contains("$.roles", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        using var op = await api.OperatorClient();
        var response = await op.PostAsync("/v1/organizations", new StringContent("name=x", Encoding.UTF8, "text/plain"), Ct);
        await response.AssertProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task An_oversize_chunked_json_body_is_413_and_creates_nothing()
    {
        using var op = await api.OperatorClient();
        var name = "超大分块请求" + Guid.NewGuid().ToString("N");
        // The bulk is in a member the operation knows: an unknown one would be refused (unknown_member) as soon as its name is read.
        var json = JsonSerializer.Serialize(new { unified_social_credit_code = Uscc.Random(), roles = new[] { "authority" }, name = name + new string('x', 1_100_000) });
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/organizations") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await (await op.SendAsync(request, Ct)).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var all = await (await op.GetAsync("/v1/organizations?limit=100", Ct)).AssertJson();
        Assert.DoesNotContain(all.GetProperty("items").EnumerateArray(), o => o.GetProperty("name").GetString()!.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_oversize_json_body_is_413_and_creates_nothing()
    {
        using var op = await api.OperatorClient();
        var name = "超大请求" + Guid.NewGuid().ToString("N");
        // The bulk is in a member the operation knows: an unknown one would be refused (unknown_member) as soon as its name is read.
        var json = JsonSerializer.Serialize(new { unified_social_credit_code = Uscc.Random(), roles = new[] { "authority" }, name = name + new string('x', 1_100_000) });
        var response = await op.PostAsync("/v1/organizations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var all = await (await op.GetAsync("/v1/organizations?limit=100", Ct)).AssertJson();
        Assert.DoesNotContain(all.GetProperty("items").EnumerateArray(), o => o.GetProperty("name").GetString()!.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_organisation_is_404_with_its_own_code()
    {
        using var op = await api.OperatorClient();
        await (await op.GetAsync($"/v1/organizations/{Guid.NewGuid()}", Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
        await (await op.GetAsync("/v1/organizations/not-a-uuid", Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
        await (await op.GetAsync("/v1/organizations/..%2F..%2Fetc%2Fpasswd", Ct)).AssertProblem(HttpStatusCode.NotFound, "organization_not_found");
    }

    [Fact]
    public async Task Listing_pages_through_every_organisation_exactly_once()
    {
        using var op = await api.OperatorClient();
        var mine = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var created = await (await op.PostAsJsonAsync("/v1/organizations",
                new { name = $"分页单位{i}", unified_social_credit_code = Uscc.Random(), roles = new[] { "data_bureau" } }, Ct)).AssertJson(HttpStatusCode.Created);
            mine.Add(created.GetProperty("id").GetString()!);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await op.GetAsync($"/v1/organizations?limit=3&role=data_bureau{(cursor is null ? "" : "&cursor=" + cursor)}", Ct)).AssertJson();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 3);
            seen.AddRange(items.Select(o => o.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Equal(mine.Order(StringComparer.Ordinal), seen.Where(mine.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("cursor=%E4%B8%AD%E6%96%87", "cursor")]
    [InlineData("cursor=AAAA", "cursor")]
    [InlineData("role=superuser", "role")]
    public async Task Bad_list_parameters_are_validation_problems(string query, string field)
    {
        using var op = await api.OperatorClient();
        var problem = await (await op.GetAsync("/v1/organizations?" + query, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_a_bad_request_problem()
    {
        using var op = await api.OperatorClient();
        var response = await op.GetAsync("/v1/organizations?limit=lots", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
