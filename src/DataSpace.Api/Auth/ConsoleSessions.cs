using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using DataSpace.Api.Features.Users;
using DataSpace.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Auth;

/// <summary>
/// The console's sign-in, in the backend-for-frontend pattern: ASP.NET Core cookie authentication whose ticket holds
/// only a random session id; the session itself is a row in PostgreSQL (<see cref="UserStore"/>), looked up on every
/// request, so sign-out, sign-out everywhere, removal of the user and a change of the organisation's roles act on the
/// next request on every replica. The browser never holds an access token. Requests are authenticated by the
/// <see cref="SchemeName"/> policy scheme: a bearer token when an Authorization header is present, else the session
/// cookie; both give a principal with the same claims, so every named policy and the consent gate apply unchanged.
/// </summary>
internal static class ConsoleSessions
{
    /// <summary>The default scheme: forwards to the bearer handler or the session cookie.</summary>
    public const string SchemeName = "DataSpace";

    /// <summary>The session cookie's scheme.</summary>
    public const string CookieScheme = "Console";

    /// <summary>
    /// <c>__Host-</c>: the browser accepts it only with Secure, Path=/ and no Domain, so no sibling host can plant or
    /// read it. Browsers treat http://127.0.0.1 and http://localhost as secure contexts, so this works in development too.
    /// </summary>
    public const string CookieName = "__Host-dataspace-session";

    /// <summary>The client id a console session acts through (audit events, usage events, agreements name it).</summary>
    public const string ClientId = "console";

    private const string SessionClaim = "session";

    public static IServiceCollection AddDataSpaceAuthentication(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UserStore>();
        services.AddSingleton<TotpSecrets>();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<IOptions<ConsoleOptions>, ILoggerFactory>((keys, console, logs) =>
            {
                if (console.Value.KeysFolder is { Length: > 0 } folder)
                {
                    keys.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(Directory.CreateDirectory(folder), logs);
                }
            });
        services.AddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<UserStore.Credentials>, Microsoft.AspNetCore.Identity.PasswordHasher<UserStore.Credentials>>();
        services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "Bearer token or console session", o =>
            {
                o.ForwardDefaultSelector = http =>
                    http.Request.Headers.ContainsKey("Authorization") || !http.Request.Cookies.ContainsKey(CookieName)
                        ? TokenAuthenticationHandler.SchemeName
                        : CookieScheme;
                // 401 and 403 are always the API's problems, never a redirect to a login page.
                o.ForwardChallenge = TokenAuthenticationHandler.SchemeName;
                o.ForwardForbid = TokenAuthenticationHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.Path = "/";
                o.SlidingExpiration = false;
                o.Events.OnValidatePrincipal = ValidateAsync;
            });
        services.AddOptions<TokenCacheOptions>().BindConfiguration(TokenCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenCache>();
        services.AddSingleton<TokenCacheFence>();
        services.AddHostedService<TokenCacheListener>();
        services.AddSingleton<TokenStore>();
        return services;
    }

    /// <summary>Builds the principal of a live session: the same claims a bearer token gives, plus the person.</summary>
    public static ClaimsPrincipal PrincipalOf(UserStore.SessionRow session, string sessionId)
    {
        var claims = new List<Claim>
        {
            new(Caller.OrganizationIdClaim, session.OrganizationId.ToString()),
            new(Caller.ClientIdClaim, ClientId),
            new(ClaimTypes.NameIdentifier, session.UserId.ToString()),
            new(Caller.UserIdClaim, session.UserId.ToString()),
            new(Caller.ConsoleRoleClaim, session.ConsoleRole),
            new(Caller.CsrfClaim, session.CsrfToken),
            new(SessionClaim, sessionId),
        };
        claims.AddRange(session.OrganizationRoles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(ConsoleRoles.ScopesFor(session.ConsoleRole, session.OrganizationRoles).Select(s => new Claim(Caller.ScopeClaim, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme));
    }

    /// <summary>The ticket of a new session: nothing but the session id (the cookie is encrypted by Data Protection too).</summary>
    public static ClaimsPrincipal TicketOf(string sessionId) =>
        new(new ClaimsIdentity([new Claim(SessionClaim, sessionId)], CookieScheme));

    public static string? SessionIdOf(ClaimsPrincipal user) => user.FindFirstValue(SessionClaim);

    public static byte[] HashOf(string sessionId) => SHA256.HashData(Encoding.UTF8.GetBytes(sessionId));

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var store = services.GetRequiredService<UserStore>();
        var sessionId = context.Principal is { } p ? SessionIdOf(p) : null;
        var session = sessionId is null ? null
            : await store.FindLiveSessionAsync(HashOf(sessionId), now, options.IdleTimeout, context.HttpContext.RequestAborted);
        if (session is null || sessionId is null)
        {
            if (sessionId is not null)
            {
                await store.EndDeadSessionAsync(HashOf(sessionId), now, context.HttpContext.RequestAborted);
            }

            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }

        // Activity is written at most once a minute: one read per request, not one write.
        if (now - new DateTimeOffset(session.LastSeenAt, TimeSpan.Zero) > TimeSpan.FromMinutes(1))
        {
            await store.TouchAsync(HashOf(sessionId), now, context.HttpContext.RequestAborted);
        }

        context.ReplacePrincipal(PrincipalOf(session, sessionId));
    }

    /// <summary>A new random session id (256 bits) or CSRF token.</summary>
    public static string NewSecret() => Secrets.NewRandom();
}

/// <summary>
/// CSRF protection for cookie-authenticated requests (synchronizer token): every POST, PUT, PATCH and DELETE of a
/// console session must carry the session's token in <c>X-CSRF-Token</c>. A cross-site page can make the browser
/// send the cookie (SameSite=Strict already stops that in current browsers) but cannot read the token. Requests
/// with a bearer token carry no ambient credential, so they are not affected.
/// </summary>
internal static class CsrfProtection
{
    public const string HeaderName = "X-CSRF-Token";

    public static IApplicationBuilder UseCsrfProtection(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var method = http.Request.Method;
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: ConsoleSessions.CookieScheme }
            && !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)))
        {
            var expected = http.User.FindFirstValue(Caller.CsrfClaim) ?? "";
            string presented = http.Request.Headers[HeaderName].ToString();
            if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status403Forbidden,
                        Title = "CSRF token missing or wrong",
                        Detail = $"A request of a console session that changes something must send the session's csrf_token (GET /console/session) in the {HeaderName} header.",
                        Extensions = { ["code"] = ProblemCodes.CsrfTokenInvalid },
                    },
                });
                return;
            }
        }

        await next(http);
    });
}
