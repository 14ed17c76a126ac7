using System.Net.Http.Headers;
using System.Text;

namespace DataSpace.Api.Tests.Features.Tokens;

public sealed class TokenFlowTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage TokenRequest(IEnumerable<KeyValuePair<string, string>> form, string? basicId = null, string? basicSecret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basicId is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(basicId)}:{Uri.EscapeDataString(basicSecret ?? "")}")));
        }

        return request;
    }

    private static KeyValuePair<string, string> P(string name, string value) => new(name, value);

    private static async Task<JsonElement> AssertOAuthError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        return body;
    }

    [Fact]
    public async Task Right_secret_with_basic_gets_a_bearer_token_with_all_client_scopes()
    {
        var org = await api.OrganizationAsync("中山市灯饰数据有限公司", "source_unit");
        using var http = api.Anonymous();

        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials")], org.ClientId, org.ClientSecret), Ct);

        var body = await response.AssertJson();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt64());
        Assert.StartsWith("dst_", body.GetProperty("access_token").GetString(), StringComparison.Ordinal);
        Assert.Equal("catalog publish consents rewards records audit webhooks", body.GetProperty("scope").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Right_secret_with_post_gets_a_token_that_works()
    {
        var org = await api.OrganizationAsync("中山市家电模型实验室", "model_builder");
        using var http = api.Anonymous();

        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials"), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]), Ct);
        var token = (await response.AssertJson()).GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var me = await (await http.GetAsync("/v1/organizations/me", Ct)).AssertJson();
        Assert.Equal(org.OrganizationId, me.GetProperty("organization").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Wrong_secret_is_invalid_client_with_a_basic_challenge()
    {
        var org = await api.OrganizationAsync("错误密钥测试单位", "model_builder");
        using var http = api.Anonymous();

        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials")], org.ClientId, org.ClientSecret + "x"), Ct);

        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Wrong_secret_with_post_is_invalid_client()
    {
        var org = await api.OrganizationAsync("错误密钥测试单位二", "model_builder");
        using var http = api.Anonymous();

        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials"), P("client_id", org.ClientId), P("client_secret", "dss_wrong")]), Ct);

        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Unknown_client_is_invalid_client()
    {
        using var http = api.Anonymous();
        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials")], "dsc_nobody", "dss_nothing"), Ct);
        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Missing_client_authentication_is_invalid_client()
    {
        using var http = api.Anonymous();
        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials")]), Ct);
        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Disabled_client_cannot_get_a_token_and_its_tokens_stop_working_at_once()
    {
        var org = await api.OrganizationAsync("将被停用的客户端单位", "model_builder");
        using var before = await api.ClientFor(org);
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/v1/organizations/me", Ct)).StatusCode);
        using var op = await api.OperatorClient();

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync($"/v1/clients/{org.ClientId}", Ct)).StatusCode);

        await (await before.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
        using var http = api.Anonymous();
        var response = await http.SendAsync(TokenRequest([P("grant_type", "client_credentials")], org.ClientId, org.ClientSecret), Ct);
        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Expired_token_is_refused_with_invalid_token()
    {
        var org = await api.OrganizationAsync("过期令牌测试单位", "model_builder");
        using var client = await api.ClientFor(org);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/organizations/me", Ct)).StatusCode);

        api.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            var response = await client.GetAsync("/v1/organizations/me", Ct);
            var problem = await response.AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
            Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
    }

    [Fact]
    public async Task Token_just_before_expiry_still_works()
    {
        var org = await api.OrganizationAsync("临界过期测试单位", "model_builder");
        using var client = await api.ClientFor(org);

        api.Clock.Advance(TimeSpan.FromMinutes(59));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/organizations/me", Ct)).StatusCode);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-59));
        }
    }

    [Fact]
    public async Task Revoked_token_is_refused_on_the_very_next_request()
    {
        var org = await api.OrganizationAsync("撤销令牌测试单位", "model_builder");
        var token = await api.TokenAsync(org);
        using var http = api.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/organizations/me", Ct)).StatusCode);

        using var anon = api.Anonymous();
        var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revocation")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]),
        };
        Assert.Equal(HttpStatusCode.OK, (await anon.SendAsync(revoke, Ct)).StatusCode);

        await (await http.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Another_clients_token_is_not_revoked_by_a_stranger()
    {
        var owner = await api.OrganizationAsync("令牌持有单位", "model_builder");
        var stranger = await api.OrganizationAsync("陌生单位", "model_builder");
        var token = await api.TokenAsync(owner);
        using var anon = api.Anonymous();

        var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revocation")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", stranger.ClientId), P("client_secret", stranger.ClientSecret)]),
        };
        Assert.Equal(HttpStatusCode.OK, (await anon.SendAsync(revoke, Ct)).StatusCode);

        anon.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync("/v1/organizations/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_answers_200_as_RFC_7009_says()
    {
        var org = await api.OrganizationAsync("撤销未知令牌单位", "model_builder");
        using var anon = api.Anonymous();
        var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revocation")
        {
            Content = new FormUrlEncodedContent([P("token", "dst_unknown"), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]),
        };
        Assert.Equal(HttpStatusCode.OK, (await anon.SendAsync(revoke, Ct)).StatusCode);
    }

    [Fact]
    public async Task Scope_narrowing_gives_a_token_that_cannot_use_other_scopes()
    {
        var op = await api.OperatorAsync();
        using var narrow = await api.ClientFor(op, scope: "catalog");

        var me = await (await narrow.GetAsync("/v1/organizations/me", Ct)).AssertJson();
        Assert.Equal(["catalog"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));

        var response = await narrow.GetAsync("/v1/organizations", Ct);
        await response.AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scope_the_client_lacks_is_invalid_scope()
    {
        var org = await api.OrganizationAsync("越权范围测试单位", "model_builder");
        using var http = api.Anonymous();

        var body = await AssertOAuthError(await http.SendAsync(TokenRequest([P("grant_type", "client_credentials"), P("scope", "catalog admin")], org.ClientId, org.ClientSecret), Ct),
            HttpStatusCode.BadRequest, "invalid_scope");
        Assert.Contains("admin", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_scope_is_invalid_scope()
    {
        var org = await api.OrganizationAsync("未知范围测试单位", "model_builder");
        using var http = api.Anonymous();
        await AssertOAuthError(await http.SendAsync(TokenRequest([P("grant_type", "client_credentials"), P("scope", "everything")], org.ClientId, org.ClientSecret), Ct),
            HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Fact]
    public async Task Using_basic_and_post_together_is_invalid_request()
    {
        var org = await api.OrganizationAsync("双重认证测试单位", "model_builder");
        using var http = api.Anonymous();
        await AssertOAuthError(await http.SendAsync(TokenRequest([P("grant_type", "client_credentials"), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)], org.ClientId, org.ClientSecret), Ct),
            HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Another_grant_type_is_unsupported_grant_type()
    {
        var org = await api.OrganizationAsync("授权类型测试单位", "model_builder");
        using var http = api.Anonymous();
        await AssertOAuthError(await http.SendAsync(TokenRequest([P("grant_type", "password"), P("username", "a"), P("password", "b")], org.ClientId, org.ClientSecret), Ct),
            HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task Missing_grant_type_is_invalid_request()
    {
        var org = await api.OrganizationAsync("缺少授权类型单位", "model_builder");
        using var http = api.Anonymous();
        await AssertOAuthError(await http.SendAsync(TokenRequest([P("scope", "catalog")], org.ClientId, org.ClientSecret), Ct),
            HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("application/json", "{\"grant_type\":\"client_credentials\"}")]
    [InlineData("text/plain", "grant_type=client_credentials")]
    [InlineData("application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=client_credentials")]
    public async Task Malformed_form_bodies_are_invalid_request(string contentType, string body)
    {
        var org = await api.OrganizationAsync("格式错误测试单位" + Guid.NewGuid().ToString("N")[..6], "model_builder");
        using var http = api.Anonymous();
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{org.ClientId}:{org.ClientSecret}")));

        await AssertOAuthError(await http.SendAsync(request, Ct), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_form_body_that_is_not_UTF8_is_invalid_request()
    {
        using var http = api.Anonymous();
        var content = new ByteArrayContent([.. "grant_type=client_credentials&client_id="u8, 0xff, 0xfe]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        await AssertOAuthError(await http.PostAsync("/connect/token", content, Ct), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("bm8tY29sb24taGVyZQ==")] // "no-colon-here"
    public async Task Garbled_basic_credentials_are_invalid_client(string basic)
    {
        using var http = api.Anonymous();
        var request = TokenRequest([P("grant_type", "client_credentials")]);
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + basic);
        await AssertOAuthError(await http.SendAsync(request, Ct), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_413_before_it_is_read()
    {
        using var http = api.Anonymous();
        var huge = "grant_type=client_credentials&padding=" + new string('a', 2 * 1024 * 1024);
        var response = await http.PostAsync("/connect/token", new StringContent(huge, Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_huge_chunked_body_is_refused_with_413_too()
    {
        using var http = api.Anonymous();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("grant_type=client_credentials&padding=" + new string('b', 100_000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await (await http.SendAsync(request, Ct)).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_client_secret_with_reserved_characters_in_basic_is_form_decoded()
    {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64. Our ids never need it, but a
        // percent-encoded id must still be decoded rather than compared raw.
        var org = await api.OrganizationAsync("编码测试单位", "model_builder");
        using var http = api.Anonymous();
        var request = TokenRequest([P("grant_type", "client_credentials")]);
        var encodedId = string.Concat(org.ClientId.Select(c => $"%{(int)c:X2}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{encodedId}:{org.ClientSecret}")));
        await (await http.SendAsync(request, Ct)).AssertJson();
    }

    [Fact]
    public async Task Introspection_reports_an_own_token_active_and_a_revoked_one_inactive()
    {
        var org = await api.OrganizationAsync("令牌自省测试单位", "model_builder");
        var token = await api.TokenAsync(org, "catalog");
        using var http = api.Anonymous();

        var active = await (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]),
        }, Ct)).AssertJson();
        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal("catalog", active.GetProperty("scope").GetString());
        Assert.Equal(org.ClientId, active.GetProperty("client_id").GetString());
        Assert.Equal(org.OrganizationId, active.GetProperty("organization_id").GetString());
        Assert.True(active.GetProperty("exp").GetInt64() > active.GetProperty("iat").GetInt64());

        await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/revocation")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]),
        }, Ct);
        var inactive = await (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", org.ClientId), P("client_secret", org.ClientSecret)]),
        }, Ct)).AssertJson();
        Assert.False(inactive.GetProperty("active").GetBoolean());
        Assert.Single(inactive.EnumerateObject());
    }

    [Fact]
    public async Task Introspection_does_not_reveal_another_organisations_token_but_the_operator_sees_it()
    {
        var owner = await api.OrganizationAsync("自省所有者", "model_builder");
        var other = await api.OrganizationAsync("自省旁观者", "model_builder");
        var op = await api.OperatorAsync();
        var token = await api.TokenAsync(owner);
        using var http = api.Anonymous();

        var byOther = await (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", other.ClientId), P("client_secret", other.ClientSecret)]),
        }, Ct)).AssertJson();
        var byOperator = await (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent([P("token", token), P("client_id", op.ClientId), P("client_secret", op.ClientSecret)]),
        }, Ct)).AssertJson();

        Assert.False(byOther.GetProperty("active").GetBoolean());
        Assert.True(byOperator.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_requires_client_authentication()
    {
        using var http = api.Anonymous();
        var response = await http.PostAsync("/connect/introspect", new FormUrlEncodedContent([P("token", "dst_x")]), Ct);
        await AssertOAuthError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Metadata_names_the_endpoints_and_methods()
    {
        using var http = api.Anonymous();
        var meta = await (await http.GetAsync("/.well-known/oauth-authorization-server", Ct)).AssertJson();
        var issuer = meta.GetProperty("issuer").GetString()!;
        Assert.Equal(api.BaseAddress.GetLeftPart(UriPartial.Authority), issuer);
        Assert.Equal(issuer + "/connect/token", meta.GetProperty("token_endpoint").GetString());
        Assert.Equal(issuer + "/connect/introspect", meta.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(issuer + "/connect/revocation", meta.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["client_credentials"], meta.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["client_secret_basic", "client_secret_post"], meta.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()!));
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Token abc")]
    [InlineData("Bearer dst_not-a-real-token")]
    public async Task Bad_authorization_headers_get_401_problems(string header)
    {
        using var http = api.Anonymous();
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/organizations/me");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString();
        Assert.Contains(code, new[] { "invalid_token", "authentication_required" });
    }

    [Fact]
    public async Task No_token_gets_a_401_problem_with_a_bearer_challenge()
    {
        using var http = api.Anonymous();
        var response = await http.GetAsync("/v1/organizations/me", Ct);
        await response.AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }
}
