using System.Net.Http.Headers;
using System.Text;

namespace DataSpace.Api.Tests.Features.Tokens;

public sealed class SecretsNeverLoggedTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task No_client_secret_or_access_token_reaches_a_log_line()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("日志审查单位", "model_builder");
        using var http = api.Anonymous();

        // Successful basic and post grants, a failed one, a token use, introspection and revocation.
        var token = await api.TokenAsync(org);
        var post = await (await http.PostAsync("/connect/token", new FormUrlEncodedContent(
            [new("grant_type", "client_credentials"), new("client_id", org.ClientId), new("client_secret", org.ClientSecret)]), ct)).AssertJson();
        var postToken = post.GetProperty("access_token").GetString()!;
        await http.PostAsync("/connect/token", new FormUrlEncodedContent(
            [new("grant_type", "client_credentials"), new("client_id", org.ClientId), new("client_secret", org.ClientSecret + "typo")]), ct);
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/organizations/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await http.SendAsync(request, ct);
        var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/organizations/me");
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
        await http.SendAsync(bad, ct);
        await http.PostAsync("/connect/introspect", new FormUrlEncodedContent(
            [new("token", token), new("client_id", org.ClientId), new("client_secret", org.ClientSecret)]), ct);
        await http.PostAsync("/connect/revocation", new FormUrlEncodedContent(
            [new("token", postToken), new("client_id", org.ClientId), new("client_secret", org.ClientSecret)]), ct);

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{org.ClientId}:{org.ClientSecret}"));
        Assert.NotEmpty(api.Logs.Lines);
        foreach (var line in api.Logs.Lines)
        {
            Assert.DoesNotContain(org.ClientSecret[4..], line, StringComparison.Ordinal);
            Assert.DoesNotContain(token[4..], line, StringComparison.Ordinal);
            Assert.DoesNotContain(postToken[4..], line, StringComparison.Ordinal);
            Assert.DoesNotContain(basic, line, StringComparison.Ordinal);
        }

        // The request lines themselves are logged, so the capture would have seen a leak.
        Assert.Contains(api.Logs.Lines, l => l.Contains("/connect/token", StringComparison.Ordinal));
    }
}
