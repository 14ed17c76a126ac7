using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DataSpace.Api.Tests.Features.Users;

/// <summary>
/// The optional second factor (RFC 6238 TOTP): a signed-in person enrols (the secret is stored only once a code confirms
/// it), sign-in then needs a code besides the password, each code works once, wrong codes throttle like wrong passwords,
/// and a current code turns it off. Codes come from Debian's oathtool at the instant the test clock is frozen at.
/// </summary>
public sealed class TotpTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Five seconds into a 30-second step, so that a step either side is a whole step away.</summary>
    private static DateTimeOffset StepStart() =>
        DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) * 30 + 5);

    /// <summary>Runs <paramref name="body"/> with the clock frozen five seconds into the current step, and thaws it after.</summary>
    private async Task FrozenAsync(Func<DateTimeOffset, Task> body)
    {
        var t0 = StepStart();
        api.Clock.Freeze(t0);
        try
        {
            await body(t0);
        }
        finally
        {
            api.Clock.Thaw();
        }
    }

    private async Task<string> NewUserAsync(string name) => await ConsoleFlow.UserAsync(api, await api.OrganizationAsync(name, "source_unit"), "editor");

    private static Task<HttpResponseMessage> SignInAsync(DataSpaceApiFactory api, string email, string password, string? code)
    {
        var http = ConsoleFlow.Cookieless(api);
        return http.PostAsJsonAsync("/console/sign-in", new { email, password, totp_code = code }, Ct);
    }

    private static async Task<JsonElement> EnrolmentAsync(HttpClient browser) =>
        await (await browser.PostAsync("/console/totp/enrolment", null, Ct)).AssertJson();

    private static Task<HttpResponseMessage> ConfirmAsync(HttpClient browser, string? token, string? code) =>
        browser.PostAsJsonAsync("/console/totp/confirm", new { enrolment_token = token, code }, Ct);

    /// <summary>Enrols and confirms with the code of the frozen instant; returns the base32 secret.</summary>
    private async Task<string> EnrolAsync(HttpClient browser)
    {
        var enrolment = await EnrolmentAsync(browser);
        var secret = enrolment.GetProperty("secret").GetString()!;
        using var confirmed = await ConfirmAsync(browser, enrolment.GetProperty("enrolment_token").GetString(), await OathTool.CodeAsync(secret, api.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        return secret;
    }

    private static async Task<bool> TotpEnabledAsync(HttpClient browser) =>
        (await (await browser.GetAsync("/console/session", Ct)).AssertJson()).GetProperty("totp_enabled").GetBoolean();

    [Fact]
    public async Task The_test_generator_oathtool_reproduces_the_rfc_6238_sha1_test_vectors()
    {
        // RFC 6238 Appendix B: the ASCII secret "12345678901234567890", 8 digits, SHA-1.
        const string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        (long Unix, string Code)[] vectors = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")];
        foreach (var (unix, code) in vectors)
        {
            Assert.Equal(code, await OathTool.RunAsync(secret, DateTimeOffset.FromUnixTimeSeconds(unix), 8));
        }
    }

    [Fact]
    public async Task Enrolment_shows_a_base32_secret_and_otpauth_uri_and_stores_it_only_when_a_valid_code_confirms_it()
    {
        var email = await NewUserAsync("两步验证开启数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        await FrozenAsync(async _ =>
        {
            Assert.False(await TotpEnabledAsync(browser));
            using var started = await browser.PostAsync("/console/totp/enrolment", null, Ct);
            var enrolment = await started.AssertJson();
            Assert.Equal("no-store", started.Headers.CacheControl?.ToString());
            var secret = enrolment.GetProperty("secret").GetString()!;
            Assert.Matches("^[A-Z2-7]{32}$", secret); // 20 bytes of base32
            Assert.Equal($"otpauth://totp/DataSpace:{Uri.EscapeDataString(email)}?secret={secret}&issuer=DataSpace", enrolment.GetProperty("otpauth_uri").GetString());
            var token = enrolment.GetProperty("enrolment_token").GetString()!;
            Assert.DoesNotContain(secret, token, StringComparison.Ordinal);
            Assert.NotEqual(secret, (await EnrolmentAsync(browser)).GetProperty("secret").GetString());

            // Nothing is stored yet: the password alone still signs in.
            Assert.False(await TotpEnabledAsync(browser));
            using (var passwordOnly = await SignInAsync(api, email, ConsoleFlow.Password, null))
            {
                await passwordOnly.AssertJson();
            }

            var wrongCode = (int.Parse(await OathTool.CodeAsync(secret, api.Clock.GetUtcNow()), System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000;
            var wrong = await (await ConfirmAsync(browser, token, wrongCode.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))).AssertProblem(HttpStatusCode.Forbidden, "totp_code_invalid");
            Assert.Contains("not turned on", wrong.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.False(await TotpEnabledAsync(browser));

            // The app's code of a minute ago is outside the window.
            await (await ConfirmAsync(browser, token, await OathTool.CodeAsync(secret, api.Clock.GetUtcNow().AddSeconds(-60))))
                .AssertProblem(HttpStatusCode.Forbidden, "totp_code_invalid");

            using (var confirmed = await ConfirmAsync(browser, token, await OathTool.CodeAsync(secret, api.Clock.GetUtcNow())))
            {
                Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
            }

            Assert.True(await TotpEnabledAsync(browser));
            await (await ConfirmAsync(browser, token, await OathTool.CodeAsync(secret, api.Clock.GetUtcNow().AddSeconds(30))))
                .AssertProblem(HttpStatusCode.Conflict, "totp_already_enabled");
            await (await browser.PostAsync("/console/totp/enrolment", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "totp_already_enabled");

            var events = await (await browser.GetAsync("/v1/audit?object_type=user&action=totp_enabled", Ct)).AssertJson();
            var evt = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == signedIn.UserId);
            Assert.Equal(signedIn.UserId, evt.GetProperty("actor").GetProperty("user_id").GetString());
            Assert.Equal(email, evt.GetProperty("details").GetProperty("email").GetString());
            Assert.DoesNotContain(secret, evt.ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Sign_in_then_needs_a_code_refuses_a_wrong_or_replayed_one_and_the_password_alone_makes_no_session()
    {
        var email = await NewUserAsync("两步验证登录数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        await FrozenAsync(async t0 =>
        {
            var secret = await EnrolAsync(browser);

            using (var passwordOnly = await SignInAsync(api, email, ConsoleFlow.Password, null))
            {
                await passwordOnly.AssertProblem(HttpStatusCode.Unauthorized, "totp_required");
                Assert.Null(ConsoleFlow.SessionCookie(passwordOnly));
            }

            using (var wrongPassword = await SignInAsync(api, email, "not the password", await OathTool.CodeAsync(secret, t0.AddSeconds(30))))
            {
                await wrongPassword.AssertProblem(HttpStatusCode.Unauthorized, "invalid_credentials");
            }

            // The code that confirmed the enrolment is used: it signs nobody in.
            using (var confirming = await SignInAsync(api, email, ConsoleFlow.Password, await OathTool.CodeAsync(secret, t0)))
            {
                await confirming.AssertProblem(HttpStatusCode.Unauthorized, "totp_code_used");
                Assert.Null(ConsoleFlow.SessionCookie(confirming));
            }

            using (var malformed = await SignInAsync(api, email, ConsoleFlow.Password, "12ab56"))
            {
                Assert.Equal(["totp_code"], (await malformed.AssertProblem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
            }

            // Half a minute later: the new step's code signs in, once.
            api.Clock.Freeze(t0.AddSeconds(30));
            var code = await OathTool.CodeAsync(secret, t0.AddSeconds(30));
            var wrongCode = code == "000000" ? "000001" : "000000";
            using (var wrong = await SignInAsync(api, email, ConsoleFlow.Password, wrongCode))
            {
                await wrong.AssertProblem(HttpStatusCode.Unauthorized, "totp_code_invalid");
                Assert.Null(ConsoleFlow.SessionCookie(wrong));
            }

            using (var right = await SignInAsync(api, email, ConsoleFlow.Password, code[..3] + " " + code[3..]))
            {
                var session = await right.AssertJson();
                Assert.NotNull(ConsoleFlow.SessionCookie(right));
                Assert.True(session.GetProperty("totp_enabled").GetBoolean());
            }

            using (var replayed = await SignInAsync(api, email, ConsoleFlow.Password, code))
            {
                await replayed.AssertProblem(HttpStatusCode.Unauthorized, "totp_code_used");
                Assert.Null(ConsoleFlow.SessionCookie(replayed));
            }

            // A phone one step ahead is within the window; two steps ahead is not.
            await (await SignInAsync(api, email, ConsoleFlow.Password, await OathTool.CodeAsync(secret, t0.AddSeconds(90))))
                .AssertProblem(HttpStatusCode.Unauthorized, "totp_code_invalid");
            await (await SignInAsync(api, email, ConsoleFlow.Password, await OathTool.CodeAsync(secret, t0.AddSeconds(60)))).AssertJson();
            // Once a later step was accepted, the current step's code (never used itself) is refused too.
            await (await SignInAsync(api, email, ConsoleFlow.Password, await OathTool.CodeAsync(secret, t0.AddSeconds(30))))
                .AssertProblem(HttpStatusCode.Unauthorized, "totp_code_used");

            var events = await (await browser.GetAsync("/v1/audit?object_type=user&action=signed_in", Ct)).AssertJson();
            var withCode = events.GetProperty("items").EnumerateArray()
                .Where(e => e.GetProperty("object_id").GetString() == signedIn.UserId && e.GetProperty("details").TryGetProperty("second_factor", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == "totp")
                .ToList();
            Assert.Equal(2, withCode.Count);
        });
    }

    [Fact]
    public async Task Wrong_codes_count_as_failed_sign_ins_and_throttle_sign_in_and_the_second_factor_changes()
    {
        var email = await NewUserAsync("两步验证限流数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        await FrozenAsync(async t0 =>
        {
            var secret = await EnrolAsync(browser);
            api.Clock.Freeze(t0.AddSeconds(30));
            var code = await OathTool.CodeAsync(secret, t0.AddSeconds(30));
            for (var i = 0; i < 5; i++)
            {
                var wrong = ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1 + i) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
                await (await SignInAsync(api, email, ConsoleFlow.Password, wrong)).AssertProblem(HttpStatusCode.Unauthorized, "totp_code_invalid");
            }

            using (var throttled = await SignInAsync(api, email, ConsoleFlow.Password, code))
            {
                await throttled.AssertProblem(HttpStatusCode.TooManyRequests, "sign_in_throttled");
                Assert.NotNull(throttled.Headers.RetryAfter);
            }

            var disable = await browser.PostAsJsonAsync("/console/totp/disable", new { code }, Ct);
            await disable.AssertProblem(HttpStatusCode.TooManyRequests, "totp_throttled");
            Assert.True(await TotpEnabledAsync(browser));

            // After the window the right code works again: it was never accepted while throttled.
            api.Clock.Freeze(t0.AddSeconds(30).AddMinutes(16));
            var later = await OathTool.CodeAsync(secret, t0.AddSeconds(30).AddMinutes(16));
            await (await SignInAsync(api, email, ConsoleFlow.Password, later)).AssertJson();
        });
    }

    [Fact]
    public async Task A_current_unused_code_turns_the_second_factor_off_and_then_the_password_alone_signs_in()
    {
        var email = await NewUserAsync("两步验证关闭数源单位");
        var signedIn = await ConsoleFlow.SignInAsync(api, email);
        using var browser = signedIn.Client();
        await FrozenAsync(async t0 =>
        {
            await (await browser.PostAsJsonAsync("/console/totp/disable", new { code = "123456" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "totp_not_enabled");
            var secret = await EnrolAsync(browser);

            Assert.Equal(["code"], (await (await browser.PostAsJsonAsync("/console/totp/disable", new { code = (string?)null }, Ct))
                .AssertProblem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
            Assert.Equal(["code"], (await (await browser.PostAsJsonAsync("/console/totp/disable", new { code = "1234567" }, Ct))
                .AssertProblem(HttpStatusCode.BadRequest, "validation_failed")).ErrorFields());
            // The confirming code is used; a wrong one is wrong; neither turns it off.
            await (await browser.PostAsJsonAsync("/console/totp/disable", new { code = await OathTool.CodeAsync(secret, t0) }, Ct))
                .AssertProblem(HttpStatusCode.Forbidden, "totp_code_used");
            await (await browser.PostAsJsonAsync("/console/totp/disable", new { code = await OathTool.CodeAsync(secret, t0.AddSeconds(120)) }, Ct))
                .AssertProblem(HttpStatusCode.Forbidden, "totp_code_invalid");
            Assert.True(await TotpEnabledAsync(browser));
            // The session alone is not enough, and neither is a request without the CSRF token.
            using (var noCsrf = signedIn.Client(withCsrf: false))
            {
                await (await noCsrf.PostAsJsonAsync("/console/totp/disable", new { code = await OathTool.CodeAsync(secret, t0.AddSeconds(30)) }, Ct))
                    .AssertProblem(HttpStatusCode.Forbidden, "csrf_token_invalid");
            }

            using (var off = await browser.PostAsJsonAsync("/console/totp/disable", new { code = await OathTool.CodeAsync(secret, t0.AddSeconds(30)) }, Ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
            }

            Assert.False(await TotpEnabledAsync(browser));
            await (await SignInAsync(api, email, ConsoleFlow.Password, null)).AssertJson();
            var events = await (await browser.GetAsync("/v1/audit?object_type=user&action=totp_disabled", Ct)).AssertJson();
            var evt = Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("object_id").GetString() == signedIn.UserId);
            Assert.Equal(signedIn.UserId, evt.GetProperty("actor").GetProperty("user_id").GetString());

            // Enrolling again gives a new secret; the old one's codes no longer count.
            var again = await EnrolAsync(browser);
            Assert.NotEqual(secret, again);
        });
    }

    [Fact]
    public async Task A_missing_forged_foreign_or_expired_enrolment_is_refused_and_turns_nothing_on()
    {
        var mine = await ConsoleFlow.SignInAsync(api, await NewUserAsync("两步验证坏输入数源单位"));
        var other = await ConsoleFlow.SignInAsync(api, await NewUserAsync("两步验证他人数源单位"));
        using var browser = mine.Client();
        using var otherBrowser = other.Client();
        await FrozenAsync(async t0 =>
        {
            using (var anonymous = ConsoleFlow.Cookieless(api))
            {
                await (await anonymous.PostAsync("/console/totp/enrolment", null, Ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
            }

            Assert.Equal(["code", "enrolment_token"], (await (await ConfirmAsync(browser, null, "")).AssertProblem(HttpStatusCode.BadRequest, "validation_failed"))
                .ErrorFields().Order(StringComparer.Ordinal).ToArray());

            var enrolment = await EnrolmentAsync(otherBrowser);
            var secret = enrolment.GetProperty("secret").GetString()!;
            var token = enrolment.GetProperty("enrolment_token").GetString()!;
            var code = await OathTool.CodeAsync(secret, t0);
            // Another person's enrolment token is encrypted for them only.
            await (await ConfirmAsync(browser, token, code)).AssertProblem(HttpStatusCode.BadRequest, "totp_enrolment_invalid");
            await (await ConfirmAsync(browser, token[..^4] + "AAAA", code)).AssertProblem(HttpStatusCode.BadRequest, "totp_enrolment_invalid");
            await (await ConfirmAsync(browser, "not a token", code)).AssertProblem(HttpStatusCode.BadRequest, "totp_enrolment_invalid");
            Assert.False(await TotpEnabledAsync(browser));
            Assert.False(await TotpEnabledAsync(otherBrowser));

            // Eleven minutes later the token has expired, even with a code of that moment.
            var late = t0.AddMinutes(11);
            api.Clock.Freeze(late);
            await (await ConfirmAsync(otherBrowser, token, await OathTool.CodeAsync(secret, late))).AssertProblem(HttpStatusCode.BadRequest, "totp_enrolment_invalid");
            Assert.False(await TotpEnabledAsync(otherBrowser));
        });
    }
}
