using System.Security.Claims;
using System.Text.Encodings.Web;
using DataSpace.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Auth;

/// <summary>
/// Reads <c>Authorization: Bearer …</c>, looks the opaque token up by its hash (in the coherent <see cref="TokenCache"/>,
/// else one indexed query) and builds the caller: organisation id, client id, the organisation's roles and the token's
/// scopes. Revocation, client disabling and role changes take effect on the very next request on every instance: the
/// changing request answers only once every instance's cache has dropped the token or is bypassed.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenStore tokens,
    TimeProvider clock,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private string? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        // Other schemes (Basic at /connect/*) are not ours to judge.
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            _failure = "The Authorization header must be 'Bearer <access token>'.";
            return AuthenticateResult.Fail(_failure);
        }

        var token = header[7..].Trim();
        if (token.Length is 0 or > 512)
        {
            _failure = "The access token is malformed.";
            return AuthenticateResult.Fail(_failure);
        }

        var now = clock.GetUtcNow();
        var state = await tokens.AuthenticateAsync(token, now, Context.RequestAborted);
        if (state is null)
        {
            _failure = "The access token is not known.";
            return AuthenticateResult.Fail(_failure);
        }

        if (!state.IsActiveAt(now))
        {
            _failure = state.ClientDisabledAt is not null ? "The client this token was issued to has been disabled."
                : state.RevokedAt is not null ? "The access token has been revoked."
                : "The access token has expired.";
            return AuthenticateResult.Fail(_failure);
        }

        var claims = new List<Claim>
        {
            new(Caller.OrganizationIdClaim, state.OrganizationId.ToString()),
            new(Caller.ClientIdClaim, state.ClientId),
            new(ClaimTypes.NameIdentifier, state.ClientId),
        };
        claims.AddRange(state.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(state.Scopes.Select(s => new Claim(Caller.ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // RFC 6750 §3: a request without credentials gets a bare challenge; a bad token gets error="invalid_token".
        var code = _failure is null ? ProblemCodes.AuthenticationRequired : ProblemCodes.InvalidToken;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = _failure is null
            ? "Bearer realm=\"dataspace\""
            : $"Bearer realm=\"dataspace\", error=\"{ProblemCodes.InvalidToken}\", error_description=\"{_failure}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = _failure is null ? "Authentication required" : "Invalid access token",
                Detail = _failure ?? "Send 'Authorization: Bearer <access token>'; get a token from POST /connect/token with client credentials.",
                Extensions = { ["code"] = code },
            },
        });
    }
}
