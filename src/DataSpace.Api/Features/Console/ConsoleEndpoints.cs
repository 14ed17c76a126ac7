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
/// token), sign out and sign out everywhere. Everything else the console does goes through the public /v1 endpoints.
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
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/session", CurrentSession).WithName("GetConsoleSession")
            .WithSummary("The signed-in person, their organisation, the scopes of the session and its CSRF token (console session)");
        group.MapPost("/sign-out", (HttpContext http, UserStore users, TimeProvider clock, CancellationToken ct) => SignOut(http, users, clock, false, ct))
            .WithName("SignOut").WithSummary("End this session (console session)");
        group.MapPost("/sign-out-everywhere", (HttpContext http, UserStore users, TimeProvider clock, CancellationToken ct) => SignOut(http, users, clock, true, ct))
            .WithName("SignOutEverywhere").WithSummary("End every session of the signed-in person, in every browser (console session)");
        return app;
    }

    private static async Task<Results<Ok<ConsoleSession>, ProblemHttpResult>> SignIn(
        SignInRequest request, HttpContext http, UserStore users, IPasswordHasher<UserStore.Credentials> hasher,
        IOptions<ConsoleOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.RequiredText("email", request.Email, 254).ToLowerInvariant();
        if (string.IsNullOrEmpty(request.Password))
        {
            v.Add("password", "is required");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var o = options.Value;
        var now = clock.GetUtcNow();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var (account, fromAddress) = await users.FailuresSinceAsync(email, address, now - o.ThrottleWindow, ct);
        if (account >= o.MaxFailuresPerAccount || fromAddress >= o.MaxFailuresPerAddress)
        {
            http.Response.Headers.RetryAfter = ((int)o.ThrottleWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.SignInThrottled, "Too many failed sign-ins",
                account >= o.MaxFailuresPerAccount
                    ? $"This account had {account} failed sign-ins in the last {o.ThrottleWindow.TotalMinutes:0} minutes; try again later."
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

        var sessionId = ConsoleSessions.NewSecret();
        var expiresAt = now + o.SessionLifetime;
        var actor = new AuditActor(credentials.OrganizationId, ConsoleSessions.ClientId, http.TraceIdentifier, credentials.Id);
        await users.CreateSessionAsync(credentials.Id, credentials.OrganizationId, email, ConsoleSessions.HashOf(sessionId), ConsoleSessions.NewSecret(),
            now, expiresAt, address, http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 300)] : null, actor, ct);
        await http.SignInAsync(ConsoleSessions.CookieScheme, ConsoleSessions.TicketOf(sessionId),
            new AuthenticationProperties { IsPersistent = false, ExpiresUtc = expiresAt, AllowRefresh = false });
        var session = await users.FindLiveSessionAsync(ConsoleSessions.HashOf(sessionId), now, o.IdleTimeout, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(ToContract(session!));
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

    private static ConsoleSession ToContract(UserStore.SessionRow s)
    {
        var account = new UserAccount(s.UserId.ToString(), s.OrganizationId.ToString(), s.Email, s.DisplayName, s.ConsoleRole,
            ConsoleRoles.ScopesFor(s.ConsoleRole, s.OrganizationRoles), new DateTimeOffset(s.UserCreatedAt, TimeSpan.Zero), null);
        return new ConsoleSession(account, s.OrganizationName, s.OrganizationRoles, s.CsrfToken, new DateTimeOffset(s.ExpiresAt, TimeSpan.Zero));
    }
}
