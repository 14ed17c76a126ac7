using System.Net.Http.Headers;

namespace DataSpace.Api.Tests.Http;

/// <summary>The default log settings: one line per answered request, with what an operator needs and no secrets.</summary>
public sealed class RequestLoggingTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task Each_request_is_one_line_with_method_route_status_duration_and_request_id()
    {
        var ct = TestContext.Current.CancellationToken;
        using var op = await api.OperatorClient();
        using var response = await op.GetAsync("/v1/organizations?limit=1", ct);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();

        var lines = api.Logs.Lines.Where(l => l.Contains(requestId, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines, l => l.StartsWith("DataSpace.Requests:", StringComparison.Ordinal));
        Assert.Contains("GET /v1/organizations (/v1/organizations/) answered 200 in ", line, StringComparison.Ordinal);
        Assert.Contains("DurationMs=", line, StringComparison.Ordinal);
        // The framework's own start/finish lines and the SQL of the request stay out at the default levels.
        Assert.DoesNotContain(lines, l => l.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("Npgsql", StringComparison.Ordinal) && l.Contains("select", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_token_sent_in_the_query_string_never_reaches_a_log_line()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = await api.TokenAsync(await api.OperatorAsync());
        using var http = api.Anonymous();
        using var response = await http.GetAsync($"/v1/organizations/me?access_token={token}", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/organizations/me?access_token={token}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var ok = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        Assert.Contains(api.Logs.Lines, l => l.Contains("/v1/organizations/me", StringComparison.Ordinal));
        Assert.DoesNotContain(api.Logs.Lines, l => l.Contains(token[4..], StringComparison.Ordinal));
    }
}
