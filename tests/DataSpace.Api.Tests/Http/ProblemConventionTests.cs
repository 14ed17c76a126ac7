using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DataSpace.Api.Tests.Http;

/// <summary>Every error is an RFC 9457 problem with a stable code, including those the framework produces.</summary>
public sealed class ProblemConventionTests(ProblemConventionTests.ThrowingApiFactory api) : IClassFixture<ProblemConventionTests.ThrowingApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The real API plus one route that fails unexpectedly, added after the API's own pipeline.</summary>
    public sealed class ThrowingApiFactory : IAsyncLifetime
    {
        public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory().WithStartupFilter(new ThrowingRoute());

        public ValueTask InitializeAsync() => Api.InitializeAsync();

        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }

    private sealed class ThrowingRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map("/v1/__throw", b => b.Run(_ => throw new InvalidOperationException("connection string Password=hunter2 leaked")));
        };
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        using var client = await api.Api.OperatorClient();
        await (await client.GetAsync("/v1/no-such-thing", Ct)).AssertProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var client = await api.Api.OperatorClient();
        await (await client.PutAsJsonAsync("/v1/organizations/me", new { }, Ct)).AssertProblem(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Theory]
    [InlineData("/v1/orders?limit=abc", "limit", "a whole number")]
    [InlineData("/v1/organizations?limit=1.5", "limit", "a whole number")]
    public async Task A_query_value_of_the_wrong_form_names_the_parameter_in_plain_words(string url, string parameter, string expected)
    {
        using var client = await api.Api.OperatorClient();
        var problem = await (await client.GetAsync(url, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([parameter], problem.ErrorFields());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"'{parameter}'", detail, StringComparison.Ordinal);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Int32", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_body_member_is_a_400_naming_it()
    {
        using var client = await api.Api.OperatorClient();
        var problem = await (await client.PostAsJsonAsync("/v1/organizations", new { name = "拼写单位", unified_social_credit_code = "x", rolse = new[] { "operator" } }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "unknown_member");
        Assert.Equal(["rolse"], problem.ErrorFields());
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_500_problem_without_internals()
    {
        using var client = await api.Api.OperatorClient();
        var response = await client.GetAsync("/v1/__throw", Ct);
        var problem = await response.AssertProblem(HttpStatusCode.InternalServerError, "internal_error");
        var text = problem.GetRawText();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        var requestId = problem.GetProperty("request_id").GetString();
        Assert.Equal(requestId, response.Headers.GetValues("X-Request-Id").Single());
        Assert.Contains(api.Api.Logs.Lines, l => l.Contains("InvalidOperationException", StringComparison.Ordinal) && l.Contains(requestId!, StringComparison.Ordinal));
    }
}
