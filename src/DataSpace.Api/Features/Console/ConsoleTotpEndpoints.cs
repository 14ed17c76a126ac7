using System.Security.Cryptography;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Users;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Console;

/// <summary>
/// The signed-in person's optional second factor (RFC 6238 TOTP): start an enrolment (a new secret, shown once), confirm
/// it with a first code (only then is the secret stored), turn it off with a current code. Every code is accepted at
/// most once, and wrong codes count with wrong passwords towards the account's sign-in throttle.
/// </summary>
internal static class ConsoleTotpEndpoints
{
    /// <summary>Why a code was refused: its problem code, title and detail.</summary>
    public sealed record Refusal(string Code, string Title, string Detail);

    public static IEndpointRouteBuilder MapConsoleTotpEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/console/totp").WithTags("Console")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ConsoleSessions.SchemeName).RequireClaim(Caller.UserIdClaim));
        group.MapPost("/enrolment", StartEnrolment).WithName("StartTotpEnrolment")
            .WithSummary("Start turning on the second factor: a new TOTP secret (base32 and otpauth:// URI) to add to an authenticator app; nothing is stored yet (console session)")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/confirm", Confirm).WithName("ConfirmTotpEnrolment")
            .WithSummary("Turn the second factor on with the first code the app shows for the new secret; from then on sign-in needs a code (console session)")
            .WithDescription("Wrong codes count as failed sign-ins of the account; a code accepted here is used and signs nobody in afterwards.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/disable", Disable).WithName("DisableTotp")
            .WithSummary("Turn the second factor off with a current code of the app; sign-in then needs the password only (console session)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Ok<TotpEnrolment>, ProblemHttpResult>> StartEnrolment(
        HttpContext http, UserStore users, TotpSecrets secrets, TimeProvider clock, CancellationToken ct)
    {
        if (await CurrentUserAsync(http, users, ct) is not { } user)
        {
            return SignedOut();
        }

        if (await users.FindTotpAsync(user.Id, ct) is not null)
        {
            return AlreadyEnabled();
        }

        var secret = RandomNumberGenerator.GetBytes(Totp.SecretBytes);
        var expiresAt = clock.GetUtcNow() + TotpSecrets.EnrolmentLifetime;
        var base32 = Totp.Base32(secret);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new TotpEnrolment(base32, Totp.Uri(user.Email, base32), secrets.EnrolmentToken(user.Id, secret, expiresAt), expiresAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Confirm(
        ConfirmTotpRequest request, HttpContext http, UserStore users, TotpSecrets secrets, IOptions<ConsoleOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var v = new Validation();
        var token = v.RequiredText("enrolment_token", request.EnrolmentToken, 1000);
        var code = ReadCode(v, request.Code);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (await CurrentUserAsync(http, users, ct) is not { } user)
        {
            return SignedOut();
        }

        if (await users.FindTotpAsync(user.Id, ct) is not null)
        {
            return AlreadyEnabled();
        }

        var now = clock.GetUtcNow();
        if (await ConsoleEndpoints.ThrottledAsync(http, users, options.Value, user.Email, now, ct) is not null)
        {
            return Throttled(options.Value);
        }

        if (secrets.ReadEnrolmentToken(user.Id, token, now) is not { } secret)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.TotpEnrolmentInvalid, "The enrolment is not valid",
                $"The enrolment_token is not one this server gave you, or its {TotpSecrets.EnrolmentLifetime.TotalMinutes:0} minutes have passed; " +
                "start the enrolment again. The second factor was not turned on.",
                Errors("enrolment_token", "is not a current enrolment of yours"));
        }

        var (outcome, step) = Totp.Check(secret, code!, now, -1);
        if (outcome != Totp.Outcome.Fresh)
        {
            return await WrongAsync(http, users, options.Value, user.Email, now, WrongCode(" The second factor was not turned on."), ct);
        }

        return await users.EnableTotpAsync(user, secrets.Protect(user.Id, secret), step, now, AuditActor.From(http), ct)
            ? TypedResults.NoContent()
            : AlreadyEnabled();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Disable(
        DisableTotpRequest request, HttpContext http, UserStore users, TotpSecrets secrets, IOptions<ConsoleOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var v = new Validation();
        var code = ReadCode(v, request.Code);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (await CurrentUserAsync(http, users, ct) is not { } user)
        {
            return SignedOut();
        }

        if (await users.FindTotpAsync(user.Id, ct) is not { } totp)
        {
            return Problem.Conflict(ProblemCodes.TotpNotEnabled, "The second factor is not on", "Your account signs in with the password only; there is nothing to turn off.");
        }

        var now = clock.GetUtcNow();
        if (await ConsoleEndpoints.ThrottledAsync(http, users, options.Value, user.Email, now, ct) is not null)
        {
            return Throttled(options.Value);
        }

        var (refusal, step) = Judge(user.Id, totp, code!, secrets, now);
        if (refusal is null && !await users.DisableTotpAsync(user, step, AuditActor.From(http), ct))
        {
            refusal = UsedCode("");
        }

        return refusal is null
            ? TypedResults.NoContent()
            : await WrongAsync(http, users, options.Value, user.Email, now, refusal with { Detail = refusal.Detail + " The second factor stays on." }, ct);
    }

    /// <summary>
    /// Sign-in's check of a well-formed code: null when it is right and not used before (its step is used now), else why not.
    /// </summary>
    public static async Task<Refusal?> UseCodeAsync(UserStore.Credentials user, UserStore.TotpRow totp, string code, TotpSecrets secrets, UserStore users,
        DateTimeOffset now, CancellationToken ct)
    {
        var (refusal, step) = Judge(user.Id, totp, code, secrets, now);
        return refusal ?? (await users.UseTotpStepAsync(user.Id, step, ct) ? null : UsedCode(""));
    }

    private static (Refusal? Refusal, long Step) Judge(Guid userId, UserStore.TotpRow totp, string code, TotpSecrets secrets, DateTimeOffset now)
    {
        var (outcome, step) = Totp.Check(secrets.Unprotect(userId, totp.SecretProtected), code, now, totp.LastStep);
        return outcome switch
        {
            Totp.Outcome.Fresh => (null, step),
            Totp.Outcome.Used => (UsedCode(""), step),
            _ => (WrongCode(""), step),
        };
    }

    private static Refusal WrongCode(string more) => new(ProblemCodes.TotpCodeInvalid, "The code is wrong",
        "The code is not the one your authenticator app shows now (check that the phone's clock is right, and use the entry named DataSpace)." + more);

    private static Refusal UsedCode(string more) => new(ProblemCodes.TotpCodeUsed, "The code was used already",
        "Each code is accepted once: wait until the app shows the next code (at most 30 seconds) and use that one." + more);

    private static async Task<ProblemHttpResult> WrongAsync(HttpContext http, UserStore users, ConsoleOptions o, string email, DateTimeOffset now,
        Refusal refusal, CancellationToken ct)
    {
        await users.RecordFailureAsync(email, ConsoleEndpoints.AddressOf(http), now, now - o.ThrottleWindow, ct);
        return Problem.Of(StatusCodes.Status403Forbidden, refusal.Code, refusal.Title, refusal.Detail + " Wrong codes count as failed sign-ins of your account.");
    }

    private static string? ReadCode(Validation v, string? code)
    {
        var digits = Totp.Normalize(code);
        if (digits is null)
        {
            v.Add("code", string.IsNullOrEmpty(code) ? "is required" : "must be the 6 digits the authenticator app shows");
        }

        return digits;
    }

    private static async Task<UserStore.Credentials?> CurrentUserAsync(HttpContext http, UserStore users, CancellationToken ct) =>
        await users.FindCredentialsAsync(http.User.UserId()!.Value, ct);

    private static ProblemHttpResult SignedOut() =>
        Problem.Of(StatusCodes.Status401Unauthorized, ProblemCodes.AuthenticationRequired, "Signed out", "The session has ended; sign in again.");

    private static ProblemHttpResult AlreadyEnabled() =>
        Problem.Conflict(ProblemCodes.TotpAlreadyEnabled, "The second factor is on already",
            "Your account already signs in with a code of your authenticator app. To move it to another app, turn it off with a current code and enrol again.");

    private static ProblemHttpResult Throttled(ConsoleOptions o) =>
        Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.TotpThrottled, "Too many wrong codes or passwords",
            $"Wrong codes and passwords for this account or from your address reached the limit of the last {o.ThrottleWindow.TotalMinutes:0} minutes; " +
            "nothing was changed. Try again later.");

    private static Dictionary<string, object?> Errors(string field, string message) =>
        new() { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } };
}
