using System.Net;

namespace DataSpace.Api.Tests.Features.Users;

/// <summary>An API whose sign-in allows only 3 failures per remote address (all tests come from 127.0.0.1).</summary>
public sealed class AddressThrottledApiFactory : IAsyncLifetime
{
    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory().WithSetting("Console:MaxFailuresPerAddress", "3");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

/// <summary>Guessing across many accounts from one address is throttled too, not only guessing one account.</summary>
public sealed class SignInAddressThrottleTests(AddressThrottledApiFactory fixture) : IClassFixture<AddressThrottledApiFactory>
{
    [Fact]
    public async Task Failures_on_different_accounts_from_one_address_throttle_every_sign_in_from_it()
    {
        var api = fixture.Api;
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("按地址限流数源单位", "source_unit"));
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await ConsoleFlow.PostSignInAsync(api, $"guess-{i}-{Guid.NewGuid():N}@example.cn", "password-guess");
            await wrong.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var throttled = await ConsoleFlow.PostSignInAsync(api, email, ConsoleFlow.Password);
        var problem = await throttled.AssertProblem(HttpStatusCode.TooManyRequests, "sign_in_throttled");
        Assert.Contains("address", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
