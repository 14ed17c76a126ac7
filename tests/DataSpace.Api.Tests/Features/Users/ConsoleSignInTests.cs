using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace DataSpace.Api.Tests.Features.Users;

/// <summary>
/// People sign in to the console with a password and get a server-side session behind a __Host- cookie; the cookie
/// reaches the same /v1 endpoints, under the same policies, as a bearer token; unsafe requests need the session's CSRF
/// token; sessions end at their lifetime, after idling, on sign-out and on sign-out everywhere; failed sign-ins throttle.
/// </summary>
public sealed class ConsoleSignInTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task A_first_admin_created_by_the_operator_signs_in_with_a_host_only_secure_strict_cookie()
    {
        var ct = TestContext.Current.CancellationToken;
        var unit = await api.OrganizationAsync("控制台登录数源单位", "source_unit");
        var email = await ConsoleFlow.UserAsync(api, unit);

        using var response = await ConsoleFlow.PostSignInAsync(api, email.ToUpperInvariant(), ConsoleFlow.Password);
        var session = await response.AssertJson();
        var cookie = ConsoleFlow.SessionCookie(response)!;
        Assert.NotNull(cookie);
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.Ordinal));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(email, session.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal(["catalog", "publish", "consents", "rewards", "records", "audit", "webhooks"],
            session.GetProperty("user").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        // No access token reaches the browser: the body has none, and the cookie's value is not one.
        Assert.DoesNotContain("dst_", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        var me = await (await browser.GetAsync("/v1/organizations/me", ct)).AssertJson();
        Assert.Equal(unit.OrganizationId, me.GetProperty("organization").GetProperty("id").GetString());
        Assert.Equal("console", me.GetProperty("client_id").GetString());
        var current = await (await browser.GetAsync("/console/session", ct)).AssertJson();
        Assert.Equal(signedIn.CsrfToken, current.GetProperty("csrf_token").GetString());
    }

    [Fact]
    public async Task Wrong_passwords_answer_401_and_after_five_the_account_is_throttled_until_the_window_passes()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("控制台限流模型公司", "model_builder"));

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await ConsoleFlow.PostSignInAsync(api, email, "wrong-password-" + i);
            await wrong.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
            Assert.Null(ConsoleFlow.SessionCookie(wrong));
        }

        using var unknown = await ConsoleFlow.PostSignInAsync(api, "nobody-" + Guid.NewGuid().ToString("N") + "@example.cn", ConsoleFlow.Password);
        await unknown.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");

        // The right password no longer helps within the window.
        using var throttled = await ConsoleFlow.PostSignInAsync(api, email, ConsoleFlow.Password);
        var problem = await throttled.AssertProblem(HttpStatusCode.TooManyRequests, "sign_in_throttled");
        Assert.Contains("5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(throttled.Headers.RetryAfter);
        Assert.Null(ConsoleFlow.SessionCookie(throttled));

        api.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            var signedIn = await ConsoleFlow.SignInAsync(api, email);
            using var browser = signedIn.Client();
            await (await browser.GetAsync("/console/session", ct)).AssertJson();
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-16));
        }

        // A success clears the account's failures: one more wrong password is a plain 401 again.
        using var again = await ConsoleFlow.PostSignInAsync(api, email, "wrong-again");
        await again.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task Unsafe_cookie_requests_need_the_csrf_token_and_bearer_requests_do_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var unitOrg = await api.OrganizationAsync("控制台CSRF数源单位", "source_unit");
        var signedIn = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, unitOrg, "editor"));
        var title = "CSRF " + Guid.NewGuid().ToString("N")[..8];

        using var noToken = signedIn.Client(withCsrf: false);
        await (await noToken.PostAsJsonAsync("/v1/datasets", DatasetFlow.ValidFields(title), ct)).AssertProblem(HttpStatusCode.Forbidden, "csrf_token_invalid");
        using var wrongToken = signedIn.Client(withCsrf: false);
        wrongToken.DefaultRequestHeaders.Add("X-CSRF-Token", "not-the-token");
        await (await wrongToken.PostAsJsonAsync("/v1/datasets", DatasetFlow.ValidFields(title), ct)).AssertProblem(HttpStatusCode.Forbidden, "csrf_token_invalid");
        await (await noToken.PostAsync("/console/sign-out", null, ct)).AssertProblem(HttpStatusCode.Forbidden, "csrf_token_invalid");

        // Nothing was created, and the session still works for reads without the token.
        var mine = await (await noToken.GetAsync($"/v1/datasets?owner={unitOrg.OrganizationId}", ct)).AssertJson();
        Assert.DoesNotContain(mine.GetProperty("items").EnumerateArray(), d => d.GetProperty("title").GetString() == title);

        using var withToken = signedIn.Client();
        var created = await DatasetFlow.CreateAsync(withToken, DatasetFlow.ValidFields(title));
        Assert.False(string.IsNullOrEmpty(created));

        using var bearer = await api.ClientFor(unitOrg);
        await DatasetFlow.CreateAsync(bearer, DatasetFlow.ValidFields(title + " bearer"));
    }

    [Fact]
    public async Task A_viewer_session_carries_only_its_roles_scopes_and_the_policies_refuse_the_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        var signedIn = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("控制台只读数源单位", "source_unit"), "viewer"));
        Assert.Equal(["catalog", "audit"], signedIn.Session.GetProperty("user").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        using var browser = signedIn.Client();
        await (await browser.GetAsync("/v1/datasets", ct)).AssertJson();
        await (await browser.PostAsJsonAsync("/v1/datasets", DatasetFlow.ValidFields(), ct)).AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
        // A source unit's session is still no bureau.
        await (await browser.GetAsync("/v1/reward-policies", ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout_and_at_its_lifetime_however_active()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("控制台过期模型公司", "model_builder"));

        var idle = await ConsoleFlow.SignInAsync(api, email);
        using (var browser = idle.Client())
        {
            await (await browser.GetAsync("/v1/organizations/me", ct)).AssertJson();
            api.Clock.Advance(TimeSpan.FromMinutes(31));
            try
            {
                var expired = await browser.GetAsync("/v1/organizations/me", ct);
                await expired.AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
            }
            finally
            {
                api.Clock.Advance(TimeSpan.FromMinutes(-31));
            }

            // The session stays ended when the clock is back: an idle-expired row is never revived by a later request.
            await (await browser.GetAsync("/v1/organizations/me", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        }

        var active = await ConsoleFlow.SignInAsync(api, email);
        using var busy = active.Client();
        var moved = TimeSpan.Zero;
        try
        {
            // A request every 25 minutes keeps it alive until 12 hours after sign-in, and not a moment longer.
            while (moved < TimeSpan.FromHours(12) - TimeSpan.FromMinutes(25))
            {
                api.Clock.Advance(TimeSpan.FromMinutes(25));
                moved += TimeSpan.FromMinutes(25);
                await (await busy.GetAsync("/v1/organizations/me", ct)).AssertJson();
            }

            api.Clock.Advance(TimeSpan.FromMinutes(25));
            moved += TimeSpan.FromMinutes(25);
            await (await busy.GetAsync("/v1/organizations/me", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        }
        finally
        {
            api.Clock.Advance(-moved);
        }
    }

    [Fact]
    public async Task Sign_out_ends_one_session_and_sign_out_everywhere_ends_all_of_that_user_only()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("控制台退出数据局", "data_bureau");
        var email = await ConsoleFlow.UserAsync(api, org);
        var other = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, org, "reviewer"));
        var first = await ConsoleFlow.SignInAsync(api, email);
        var second = await ConsoleFlow.SignInAsync(api, email);
        var third = await ConsoleFlow.SignInAsync(api, email);

        using (var b = first.Client())
        {
            using var signOut = await b.PostAsync("/console/sign-out", null, ct);
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
            // The response deletes the cookie in the browser, and the server forgets the session anyway.
            Assert.Contains(signOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-dataspace-session=;", StringComparison.Ordinal));
            await (await b.GetAsync("/console/session", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        }

        using var secondBrowser = second.Client();
        await (await secondBrowser.GetAsync("/console/session", ct)).AssertJson();
        using (var everywhere = await secondBrowser.PostAsync("/console/sign-out-everywhere", null, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
        }

        using var thirdBrowser = third.Client();
        await (await thirdBrowser.GetAsync("/v1/organizations/me", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        await (await secondBrowser.GetAsync("/v1/organizations/me", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        using var otherBrowser = other.Client();
        await (await otherBrowser.GetAsync("/v1/organizations/me", ct)).AssertJson();

        // The audit names the user and the console as the client.
        var events = await (await otherBrowser.GetAsync("/v1/audit?object_type=user&action=signed_out_everywhere", ct)).AssertJson();
        var evt = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == second.UserId);
        Assert.Equal(second.UserId, evt.GetProperty("actor").GetProperty("user_id").GetString());
        Assert.Equal("console", evt.GetProperty("actor").GetProperty("client_id").GetString());
        Assert.Equal(2, evt.GetProperty("details").GetProperty("sessions_ended").GetInt32()); // the first had signed out already
    }

    [Fact]
    public async Task An_admin_invites_and_removes_users_and_removal_ends_their_sessions_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("控制台成员管理数源单位", "source_unit");
        var admin = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, org));
        using var adminBrowser = admin.Client();
        var email = $"invited-{Guid.NewGuid():N}@example.cn";

        var invited = await (await adminBrowser.PostAsJsonAsync("/v1/users", new { email, display_name = "新同事", console_role = "editor" }, ct))
            .AssertJson(HttpStatusCode.Created);
        var password = invited.GetProperty("initial_password").GetString()!;
        var userId = invited.GetProperty("user").GetProperty("id").GetString()!;
        Assert.True(password.Length >= 12);
        Assert.Equal("editor", invited.GetProperty("user").GetProperty("console_role").GetString());
        await (await adminBrowser.PostAsJsonAsync("/v1/users", new { email, display_name = "重复", console_role = "viewer" }, ct))
            .AssertProblem(HttpStatusCode.Conflict, "user_exists");
        var bad = await (await adminBrowser.PostAsJsonAsync("/v1/users", new { email = "not-an-address", display_name = "", console_role = "boss" }, ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["console_role", "display_name", "email"], bad.ErrorFields().Order(StringComparer.Ordinal).ToArray());

        var editor = await ConsoleFlow.SignInAsync(api, email, password);
        using var editorBrowser = editor.Client();
        await (await editorBrowser.PostAsJsonAsync("/v1/users", new { email = "x-" + email, display_name = "x", console_role = "viewer" }, ct))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        // Machines never manage people: a client's token with every scope of the organisation is refused too.
        using var bearer = await api.ClientFor(org);
        await (await bearer.GetAsync("/v1/users", ct)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");

        var list = await (await adminBrowser.GetAsync("/v1/users", ct)).AssertJson();
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());

        await (await adminBrowser.DeleteAsync($"/v1/users/{admin.UserId}", ct)).AssertProblem(HttpStatusCode.Conflict, "cannot_remove_self");
        using (var removed = await adminBrowser.DeleteAsync($"/v1/users/{userId}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        await (await editorBrowser.GetAsync("/v1/organizations/me", ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
        using var again = await ConsoleFlow.PostSignInAsync(api, email, password);
        await again.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await adminBrowser.DeleteAsync($"/v1/users/{userId}", ct)).AssertProblem(HttpStatusCode.NotFound, "user_not_found");

        // Another organisation's admin cannot remove this admin: 404, as for an id that does not exist.
        var stranger = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("控制台另一家", "model_builder")));
        using var strangerBrowser = stranger.Client();
        await (await strangerBrowser.DeleteAsync($"/v1/users/{admin.UserId}", ct)).AssertProblem(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task Audit_events_of_a_console_session_name_the_user_and_the_chain_still_verifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("控制台审计数源单位", "source_unit");
        var signedIn = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, org, "editor"));
        using var browser = signedIn.Client();
        var dataset = await DatasetFlow.CreateAsync(browser);
        using var bearer = await api.ClientFor(org);
        await DatasetFlow.OpenVersionAsync(bearer, dataset);

        var events = await (await browser.GetAsync("/v1/audit?object_type=dataset", ct)).AssertJson();
        var created = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == dataset);
        Assert.Equal(signedIn.UserId, created.GetProperty("actor").GetProperty("user_id").GetString());
        Assert.Equal(org.OrganizationId, created.GetProperty("actor").GetProperty("organization_id").GetString());
        var version = (await (await bearer.GetAsync("/v1/audit?object_type=version", ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .First(e => e.GetProperty("object_id").GetString()!.StartsWith(dataset, StringComparison.Ordinal));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, version.GetProperty("actor").GetProperty("user_id").ValueKind);

        var verified = await (await browser.GetAsync("/v1/audit/verify?from=genesis", ct)).AssertJson();
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
    }

    [Fact]
    public async Task An_authority_session_reads_a_units_data_only_under_its_consent_like_a_token_does()
    {
        var ct = TestContext.Current.CancellationToken;
        var unitOrg = await api.OrganizationAsync("控制台同意门数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        await DatasetFlow.CreateAsync(unit);
        var authorityOrg = await api.OrganizationAsync("控制台工信局", "authority");
        var signedIn = await ConsoleFlow.SignInAsync(api, await ConsoleFlow.UserAsync(api, authorityOrg, "reviewer"));
        using var browser = signedIn.Client();
        var url = $"/v1/authority/units/{unitOrg.OrganizationId}/datasets";

        await (await browser.GetAsync(url, ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_required");
        var consent = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["dataset_files"]));
        using var read = await browser.GetAsync(url, ct);
        var page = await read.AssertJson();
        Assert.Equal(1, page.GetProperty("items").GetArrayLength());
        Assert.Equal(consent, read.Headers.GetValues("X-DataSpace-Consent").Single());

        // The unit sees who read its data under which consent: the person, not only the organisation.
        var trail = await (await unit.GetAsync("/v1/audit?action=read", ct)).AssertJson();
        Assert.Contains(trail.GetProperty("items").EnumerateArray(), e => e.GetProperty("basis").ValueKind != System.Text.Json.JsonValueKind.Null
            && e.GetProperty("basis").GetProperty("id").GetString() == consent
            && e.GetProperty("actor").GetProperty("user_id").GetString() == signedIn.UserId);
    }

    [Fact]
    public async Task The_console_page_is_served_at_the_root_under_a_policy_without_inline_scripts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = api.Anonymous();
        using var page = await http.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // The API keeps answering problems, not pages.
        using var api401 = await http.GetAsync("/v1/datasets", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api401.StatusCode);
        Assert.Equal("application/problem+json", api401.Content.Headers.ContentType?.MediaType);
    }
}
