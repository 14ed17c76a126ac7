namespace DataSpace.Api.Tests.Features.Organizations;

/// <summary>Each role against each endpoint of the foundation: allowed, or refused with the right code.</summary>
public sealed class RoleMatrixTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, bool> Cells()
    {
        var data = new TheoryData<string, string, string, bool>();
        string[] roles = ["operator", "source_unit", "model_builder", "data_bureau", "authority"];
        (string Method, string Path, bool OperatorOnly)[] endpoints =
        [
            ("GET", "/v1/organizations/me", false),
            ("GET", "/v1/organizations", true),
            ("GET", "/v1/organizations/{org}", true),
            ("POST", "/v1/organizations", true),
            ("POST", "/v1/organizations/{org}/clients", true),
            ("GET", "/v1/organizations/{org}/clients", true),
            ("DELETE", "/v1/clients/{client}", true),
        ];
        foreach (var role in roles)
        {
            foreach (var (method, path, operatorOnly) in endpoints)
            {
                data.Add(role, method, path, !operatorOnly || role == "operator");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Role_is_allowed_or_refused(string role, string method, string path, bool allowed)
    {
        var caller = await api.OrganizationAsync($"矩阵{role}", role);
        var target = await api.OrganizationAsync("矩阵目标单位", "source_unit");
        using var client = await api.ClientFor(caller);
        var url = path.Replace("{org}", target.OrganizationId, StringComparison.Ordinal).Replace("{client}", target.ClientId, StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(url.EndsWith("/clients", StringComparison.Ordinal)
                ? new { name = "矩阵客户端" }
                : (object)new { name = "矩阵新单位", unified_social_credit_code = Uscc.Random(), roles = new[] { "authority" } });
        }

        var response = await client.SendAsync(request, Ct);

        if (allowed)
        {
            Assert.True(response.IsSuccessStatusCode, $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
        else
        {
            await response.AssertProblem(HttpStatusCode.Forbidden, "role_required");
        }
    }

    [Theory]
    [InlineData("GET", "/v1/organizations/me")]
    [InlineData("GET", "/v1/organizations")]
    [InlineData("POST", "/v1/organizations")]
    [InlineData("GET", "/v1/organizations/00000000-0000-0000-0000-000000000000")]
    [InlineData("POST", "/v1/organizations/00000000-0000-0000-0000-000000000000/clients")]
    [InlineData("DELETE", "/v1/clients/dsc_x")]
    public async Task Without_a_token_every_endpoint_is_401(string method, string path)
    {
        using var http = api.Anonymous();
        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null }, Ct);
        await response.AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
    }
}
