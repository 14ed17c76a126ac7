using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Users;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Console;

/// <summary>
/// The backend-for-frontend's own endpoints: sign in (sets the session cookie), the current session (with its CSRF
/// token), sign out and sign out everywhere, and the person's own password change. Everything else the console does goes through the public /v1 endpoints.
/// </summary>
internal static class ConsoleEndpoints
{
    // Verified against when the account does not exist, so an unknown address costs as much time as a wrong password.
    private static readonly string AbsentHash = new PasswordHasher<UserStore.Credentials>().HashPassword(null!, ConsoleSessions.NewSecret());

    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/console").WithTags("Console")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ConsoleSessions.SchemeName).RequireClaim(Caller.UserIdClaim));
        group.MapPost("/sign-in", SignIn).WithName("SignIn").AllowAnonymous()
            .WithSummary("Sign a person in to the web console: sets the HttpOnly session cookie; answers the session with its CSRF token")
            .WithDescription("A person who turned on the second factor sends totp_code with the e-mail address and the password: without it a right " +
                "password answers 401 totp_required and makes no session; a wrong code answers 401 totp_code_invalid, a code already accepted once " +
                "401 totp_code_used. Wrong passwords and wrong or used codes count together towards sign_in_throttled.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/session", CurrentSession).WithName("GetConsoleSession")
            .WithSummary("The signed-in person, their organisation, the scopes of the session and its CSRF token (console session)");
        group.MapPost("/sign-out", (HttpContext http, UserStore users, TimeProvider clock, CancellationToken ct) => SignOut(http, users, clock, false, ct))
            .WithName("SignOut").WithSummary("End this session (console session)");
        group.MapPost("/sign-out-everywhere", (HttpContext http, UserStore users, TimeProvider clock, CancellationToken ct) => SignOut(http, users, clock, true, ct))
            .WithName("SignOutEverywhere").WithSummary("End every session of the signed-in person, in every browser (console session)");
        group.MapPost("/password", ChangePassword).WithName("ChangePassword")
            .WithSummary("Change the signed-in person's own password: the current one is required; every other session of theirs ends, this one stays (console session)")
            .WithDescription("Wrong current passwords count as failed sign-ins of the account: after Console:MaxFailuresPerAccount of them in " +
                "Console:ThrottleWindow, both sign-in and this change answer 429 password_change_throttled. A new password is refused with " +
                "password_too_short, password_too_long, password_unchanged, password_contains_email or password_too_common; nothing changes then.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Ok<ConsoleSession>, ProblemHttpResult>> SignIn(
        SignInRequest request, HttpContext http, UserStore users, IPasswordHasher<UserStore.Credentials> hasher, TotpSecrets secrets,
        IOptions<ConsoleOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.RequiredText("email", request.Email, 254).ToLowerInvariant();
        if (string.IsNullOrEmpty(request.Password))
        {
            v.Add("password", "is required");
        }

        var code = Totp.Normalize(request.TotpCode);
        if (!string.IsNullOrEmpty(request.TotpCode) && code is null)
        {
            v.Add("totp_code", "must be the 6 digits the authenticator app shows");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var o = options.Value;
        var now = clock.GetUtcNow();
        var address = AddressOf(http);
        if (await ThrottledAsync(http, users, o, email, now, ct) is { } throttled)
        {
            return Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.SignInThrottled, "Too many failed sign-ins",
                throttled.Account >= o.MaxFailuresPerAccount
                    ? $"This account had {throttled.Account} failed sign-ins in the last {o.ThrottleWindow.TotalMinutes:0} minutes; try again later."
                    : $"Too many failed sign-ins came from your address in the last {o.ThrottleWindow.TotalMinutes:0} minutes; try again later.");
        }

        var credentials = await users.FindCredentialsAsync(email, ct);
        var result = hasher.VerifyHashedPassword(credentials!, credentials?.PasswordHash ?? AbsentHash, request.Password!);
        if (credentials is null || credentials.RemovedAt is not null || result == PasswordVerificationResult.Failed)
        {
            await users.RecordFailureAsync(email, address, now, now - o.ThrottleWindow, ct);
            return Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidCredentials, "E-mail address or password is wrong",
                "Check the address and the password; after several failures sign-in is refused for a while.");
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await users.RehashAsync(credentials.Id, hasher.HashPassword(credentials, request.Password!), ct);
        }

        // The password alone never makes a session for a person with a second factor: the code comes in the same request.
        var totp = await users.FindTotpAsync(credentials.Id, ct);
        if (totp is not null)
        {
            if (code is null)
            {
                return Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.TotpRequired, "The code of your authenticator app is required",
                    "This account signs in with a second factor: send the 6-digit code of your authenticator app (totp_code) with the e-mail address and password.");
            }

            if (await ConsoleTotpEndpoints.UseCodeAsync(credentials, totp, code, secrets, users, now, ct) is { } refused)
            {
                await users.RecordFailureAsync(email, address, now, now - o.ThrottleWindow, ct);
                return Problem.Of(StatusCodes.Status401Unauthorized, refused.Code, refused.Title,
                    refused.Detail + " Wrong codes count as failed sign-ins; after several, sign-in is refused for a while.");
            }
        }

        var sessionId = ConsoleSessions.NewSecret();
        var expiresAt = now + o.SessionLifetime;
        var actor = new AuditActor(credentials.OrganizationId, ConsoleSessions.ClientId, http.TraceIdentifier, credentials.Id);
        await users.CreateSessionAsync(credentials.Id, credentials.OrganizationId, email, ConsoleSessions.HashOf(sessionId), ConsoleSessions.NewSecret(),
            now, expiresAt, address, http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 300)] : null, totp is not null, actor, ct);
        await http.SignInAsync(ConsoleSessions.CookieScheme, ConsoleSessions.TicketOf(sessionId),
            new AuthenticationProperties { IsPersistent = false, ExpiresUtc = expiresAt, AllowRefresh = false });
        var session = await users.FindLiveSessionAsync(ConsoleSessions.HashOf(sessionId), now, o.IdleTimeout, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(ToContract(session!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, UserStore users, IPasswordHasher<UserStore.Credentials> hasher,
        IOptions<ConsoleOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        if (string.IsNullOrEmpty(request.CurrentPassword))
        {
            v.Add("current_password", "is required");
        }

        if (string.IsNullOrEmpty(request.NewPassword))
        {
            v.Add("new_password", "is required");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // The session is live (the cookie handler checked it), so the user exists and is not removed; a removal racing
        // this request finds no row and answers as a signed-out session would.
        var user = await users.FindCredentialsAsync(http.User.UserId()!.Value, ct);
        if (user is null)
        {
            return Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.AuthenticationRequired, "Signed out", "The session has ended; sign in again.");
        }

        // The same counters as sign-in: a stolen session cannot be used to guess the password faster than sign-in can.
        var o = options.Value;
        var now = clock.GetUtcNow();
        var address = AddressOf(http);
        if (await ThrottledAsync(http, users, o, user.Email, now, ct) is not null)
        {
            return Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.PasswordChangeThrottled, "Too many wrong passwords",
                $"Wrong passwords for this account or from your address reached the limit of the last {o.ThrottleWindow.TotalMinutes:0} minutes; " +
                "the password was not changed. Try again later.");
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed)
        {
            await users.RecordFailureAsync(user.Email, address, now, now - o.ThrottleWindow, ct);
            return Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.CurrentPasswordWrong, "The current password is wrong",
                "The password was not changed. Wrong current passwords count as failed sign-ins of your account.");
        }

        if (PasswordRules.Check(request.NewPassword!, request.CurrentPassword!, user.Email) is { } weak)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, weak.Code, weak.Title, weak.Detail + " The password was not changed.",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["new_password"] = [weak.Title.Replace("The new password ", "", StringComparison.Ordinal)] } });
        }

        var kept = ConsoleSessions.HashOf(ConsoleSessions.SessionIdOf(http.User)!);
        return await users.ChangePasswordAsync(user, user.PasswordHash, hasher.HashPassword(user, request.NewPassword!), kept, now, AuditActor.From(http), ct) is null
            ? Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.CurrentPasswordWrong, "The password changed meanwhile",
                "Another request changed the password first; the current password you gave is no longer the current one.")
            : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ConsoleSession>, ProblemHttpResult>> CurrentSession(
        HttpContext http, UserStore users, IOptions<ConsoleOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var session = await users.FindLiveSessionAsync(ConsoleSessions.HashOf(ConsoleSessions.SessionIdOf(http.User)!), clock.GetUtcNow(), options.Value.IdleTimeout, ct);
        http.Response.Headers.CacheControl = "no-store";
        return session is null
            ? Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.AuthenticationRequired, "Signed out", "The session has ended; sign in again.")
            : TypedResults.Ok(ToContract(session));
    }

    private static async Task<NoContent> SignOut(HttpContext http, UserStore users, TimeProvider clock, bool everywhere, CancellationToken ct)
    {
        await users.EndSessionsAsync(ConsoleSessions.HashOf(ConsoleSessions.SessionIdOf(http.User)!), everywhere, clock.GetUtcNow(),
            AuditActor.From(http), http.User.OrganizationId(), ct);
        await http.SignOutAsync(ConsoleSessions.CookieScheme);
        return TypedResults.NoContent();
    }

    internal static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>
    /// The failure counts when the account or the address reached its limit within the window (Retry-After is set then);
    /// null while the request may try. Sign-in, the password change and the second factor share the counters, so no
    /// door guesses faster than another.
    /// </summary>
    internal static async Task<(int Account, int Address)?> ThrottledAsync(HttpContext http, UserStore users, ConsoleOptions o, string email,
        DateTimeOffset now, CancellationToken ct)
    {
        var (account, fromAddress) = await users.FailuresSinceAsync(email, AddressOf(http), now - o.ThrottleWindow, ct);
        if (account < o.MaxFailuresPerAccount && fromAddress < o.MaxFailuresPerAddress)
        {
            return null;
        }

        http.Response.Headers.RetryAfter = ((int)o.ThrottleWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (account, fromAddress);
    }

    private static ConsoleSession ToContract(UserStore.SessionRow s)
    {
        var account = new UserAccount(s.UserId.ToString(), s.OrganizationId.ToString(), s.Email, s.DisplayName, s.ConsoleRole,
            ConsoleRoles.ScopesFor(s.ConsoleRole, s.OrganizationRoles), new DateTimeOffset(s.UserCreatedAt, TimeSpan.Zero), null);
        return new ConsoleSession(account, s.OrganizationName, s.OrganizationRoles, s.CsrfToken, new DateTimeOffset(s.ExpiresAt, TimeSpan.Zero), s.TotpEnabled);
    }
}
