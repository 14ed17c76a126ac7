using System.Net;
using System.Net.Http.Json;

namespace DataSpace.Api.Tests.Features.Users;

/// <summary>
/// A signed-in person changes their own password at POST /console/password: the current password is required and
/// counted with failed sign-ins, a weak new password is refused with its own code, and a change ends every other
/// session of the person, keeps this one, and is audited. Every refusal leaves the old password working.
/// </summary>
public sealed class PasswordChangeTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private const string NewPassword = "灯笼-river-harbour-1987";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient browser, string? current, string? next) =>
        browser.PostAsJsonAsync("/console/password", new { current_password = current, new_password = next }, Ct);

    private async Task<string> NewUserAsync(string name) => await ConsoleFlow.UserAsync(api, await api.OrganizationAsync(name, "source_unit"), "editor");

    /// <summary>The password still signs in (a fresh session each time, which clears the account's failures).</summary>
    private async Task AssertSignsInAsync(string email, string password)
    {
        using var response = await ConsoleFlow.PostSignInAsync(api, email, password);
        await response.AssertJson();
    }

    [Fact]
    public async Task A_change_keeps_this_session_ends_the_others_swaps_the_password_and_is_audited()
    {
        var email = await NewUserAsync("改密码数源单位");
        var here = await ConsoleFlow.SignInAsync(api, email);
        var elsewhere = await ConsoleFlow.SignInAsync(api, email);
        using var browser = here.Client();

        using (var changed = await ChangeAsync(browser, ConsoleFlow.Password, NewPassword))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        }

        await (await browser.GetAsync("/console/session", Ct)).AssertJson();
        using var other = elsewhere.Client();
        await (await other.GetAsync("/v1/organizations/me", Ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        using (var old = await ConsoleFlow.PostSignInAsync(api, email, ConsoleFlow.Password))
        {
            await old.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        await AssertSignsInAsync(email, NewPassword);

        var events = await (await browser.GetAsync("/v1/audit?object_type=user&action=password_changed", Ct)).AssertJson();
        var evt = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == here.UserId);
        Assert.Equal(here.UserId, evt.GetProperty("actor").GetProperty("user_id").GetString());
        Assert.Equal("console", evt.GetProperty("actor").GetProperty("client_id").GetString());
        Assert.Equal(1, evt.GetProperty("details").GetProperty("other_sessions_ended").GetInt32());
        Assert.DoesNotContain(NewPassword, evt.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_passwords_answer_400_naming_both_fields()
    {
        var signedIn = await ConsoleFlow.SignInAsync(api, await NewUserAsync("改密码缺字段数源单位"));
        using var browser = signedIn.Client();
        var problem = await (await ChangeAsync(browser, null, "")).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["current_password", "new_password"], problem.ErrorFields().Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task A_wrong_current_password_answers_403_and_five_of_them_throttle_the_change_and_the_sign_in()
    {
        var email = await NewUserAsync("改密码限流数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        for (var i = 0; i < 5; i++)
        {
            await (await ChangeAsync(browser, "not-my-password-" + i, NewPassword)).AssertProblem(HttpStatusCode.Forbidden, "current_password_wrong");
        }

        // The right current password no longer helps within the window, and sign-in is throttled by the same count.
        using var throttled = await ChangeAsync(browser, ConsoleFlow.Password, NewPassword);
        await throttled.AssertProblem(HttpStatusCode.TooManyRequests, "password_change_throttled");
        Assert.NotNull(throttled.Headers.RetryAfter);
        using (var signIn = await ConsoleFlow.PostSignInAsync(api, email, ConsoleFlow.Password))
        {
            await signIn.AssertProblem(HttpStatusCode.TooManyRequests, "sign_in_throttled");
        }

        // Nothing changed, and the session still works for everything else.
        await (await browser.GetAsync("/console/session", Ct)).AssertJson();
        api.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            await AssertSignsInAsync(email, ConsoleFlow.Password);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-16));
        }
    }

    [Theory]
    [InlineData("short-pw-1", "password_too_short")]
    [InlineData(null, "password_too_long")]
    [InlineData(ConsoleFlow.Password, "password_unchanged")]
    [InlineData("{local}-is-my-password", "password_contains_email")]
    [InlineData("Password2025!", "password_too_common")]
    [InlineData("123456789012", "password_too_common")]
    [InlineData("qwertyuiopas", "password_too_common")]
    [InlineData("abababababababab", "password_too_common")]
    public async Task A_weak_new_password_answers_400_with_its_own_code_and_changes_nothing(string? candidate, string code)
    {
        var email = await NewUserAsync("改密码强度数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        var other = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        var next = candidate is null ? new string('灯', 201) : candidate.Replace("{local}", email.Split('@')[0], StringComparison.Ordinal);

        var problem = await (await ChangeAsync(browser, ConsoleFlow.Password, next)).AssertProblem(HttpStatusCode.BadRequest, code);
        Assert.Equal(["new_password"], problem.ErrorFields().ToArray());

        using var otherBrowser = other.Client();
        await (await otherBrowser.GetAsync("/console/session", Ct)).AssertJson();
        await AssertSignsInAsync(email, ConsoleFlow.Password);
    }

    [Fact]
    public async Task Only_a_console_session_with_its_csrf_token_may_change_a_password()
    {
        var org = await api.OrganizationAsync("改密码令牌数源单位", "source_unit");
        var email = await ConsoleFlow.UserAsync(api, org, "editor");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var noCsrf = signedIn.Client(withCsrf: false);
        await (await ChangeAsync(noCsrf, ConsoleFlow.Password, NewPassword)).AssertProblem(HttpStatusCode.Forbidden, "csrf_token_invalid");

        // An API client's token names no person, so it has no password to change.
        using var bearer = await api.ClientFor(org);
        await (await ChangeAsync(bearer, ConsoleFlow.Password, NewPassword)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        using var anonymous = ConsoleFlow.Cookieless(api);
        await (await ChangeAsync(anonymous, ConsoleFlow.Password, NewPassword)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");

        await AssertSignsInAsync(email, ConsoleFlow.Password);
    }
}
