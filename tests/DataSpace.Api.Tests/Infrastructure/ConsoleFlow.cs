using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>People of the console: users created through the API by the operator, signed in through /console/sign-in.</summary>
public static class ConsoleFlow
{
    public const string Password = "正确的马-battery-staple-42";

    /// <summary>A new user of the organisation with this console role (created by the operator); returns the e-mail address.</summary>
    public static async Task<string> UserAsync(DataSpaceApiFactory api, Credentials organization, string consoleRole = "admin", string password = Password)
    {
        var email = $"user-{Guid.NewGuid():N}@example.cn";
        using var op = await api.OperatorClient();
        var created = await op.PostAsJsonAsync($"/v1/organizations/{organization.OrganizationId}/users",
            new { email, display_name = "测试用户 " + consoleRole, console_role = consoleRole, password });
        await created.AssertJson(HttpStatusCode.Created);
        return email;
    }

    /// <summary>POST /console/sign-in as a browser would (no cookie yet).</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(DataSpaceApiFactory api, string email, string password)
    {
        using var http = Cookieless(api);
        return await http.PostAsJsonAsync("/console/sign-in", new { email, password });
    }

    /// <summary>Signs in and returns a client that sends the session cookie and the session's CSRF token on every request.</summary>
    public static async Task<SignedIn> SignInAsync(DataSpaceApiFactory api, string email, string password = Password)
    {
        using var response = await PostSignInAsync(api, email, password);
        var session = await response.AssertJson();
        var cookie = SessionCookie(response) ?? throw new InvalidOperationException("sign-in set no session cookie");
        var csrf = session.GetProperty("csrf_token").GetString()!;
        return new SignedIn(api, cookie, csrf, session.GetProperty("user").GetProperty("id").GetString()!, session);
    }

    /// <summary>The Set-Cookie header of the session cookie, if the response has one.</summary>
    public static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith("__Host-dataspace-session=", StringComparison.Ordinal))
            : null;

    /// <summary>
    /// A client that keeps no cookies of its own: the session cookie is Secure, which .NET's cookie container rightly
    /// withholds over http://, while browsers send it to http://127.0.0.1 (a secure context). Tests send it by hand.
    /// </summary>
    public static HttpClient Cookieless(DataSpaceApiFactory api) => api.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = api.BaseAddress });
}

/// <summary>A signed-in console session.</summary>
public sealed class SignedIn(DataSpaceApiFactory api, string setCookie, string csrfToken, string userId, JsonElement session)
{
    /// <summary>The cookie as a browser sends it back: name=value.</summary>
    public string Cookie { get; } = setCookie.Split(';')[0];

    public string SetCookie { get; } = setCookie;

    public string CsrfToken { get; } = csrfToken;

    public string UserId { get; } = userId;

    public JsonElement Session { get; } = session;

    /// <summary>A client sending the cookie, and the CSRF token unless <paramref name="withCsrf"/> is false.</summary>
    public HttpClient Client(bool withCsrf = true)
    {
        var http = ConsoleFlow.Cookieless(api);
        http.DefaultRequestHeaders.Add("Cookie", Cookie);
        if (withCsrf)
        {
            http.DefaultRequestHeaders.Add("X-CSRF-Token", CsrfToken);
        }

        return http;
    }
}
