using DataSpace.Client;
using DataSpace.Client.Connect.Token;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace DataSpace.Client.Tests;

/// <summary>
/// Generated clients (obj/kiota, from the committed OpenAPI document) against a test server, as a script of a source
/// unit or model builder would build them: Kiota's default HTTP pipeline, the server's real address, and a token from
/// the OAuth 2.0 client-credentials flow.
/// </summary>
public static class GeneratedClients
{
    /// <summary>A client with no credentials (for /connect/token and the public endpoints).</summary>
    public static DataSpaceClient Anonymous(DataSpaceApiFactory api) => Create(api, new AnonymousAuthenticationProvider());

    /// <summary>A client that authenticates as these credentials (a token is fetched at the first request).</summary>
    public static DataSpaceClient For(DataSpaceApiFactory api, Credentials credentials) => new(Adapter(api, credentials));

    /// <summary>The request adapter of <see cref="For"/>, for requests the generated client builds but cannot type yet.</summary>
    public static IRequestAdapter Adapter(DataSpaceApiFactory api, Credentials credentials) =>
        Adapter(api, new BaseBearerTokenAuthenticationProvider(new ClientCredentialsTokens(Anonymous(api), credentials, api.BaseAddress.Host)));

    private static DataSpaceClient Create(DataSpaceApiFactory api, IAuthenticationProvider authentication) => new(Adapter(api, authentication));

    private static HttpClientRequestAdapter Adapter(DataSpaceApiFactory api, IAuthenticationProvider authentication)
    {
        var http = KiotaClientFactory.Create();
        http.Timeout = TimeSpan.FromSeconds(120); // a hang detector
        return new HttpClientRequestAdapter(authentication, httpClient: http) { BaseUrl = api.BaseAddress.ToString().TrimEnd('/') };
    }

    /// <summary>
    /// The problem's stable <c>code</c> from whichever generated problem type the operation declares (its <c>Code</c> member:
    /// an enum of every code, or text), or from AdditionalData where a problem schema does not declare it.
    /// </summary>
    public static string? ProblemCode(ApiException problem)
    {
        var code = problem.GetType().GetProperty("Code")?.GetValue(problem);
        if (code is Enum member)
        {
            return member.GetType().GetField(member.ToString())!.GetCustomAttributes(typeof(System.Runtime.Serialization.EnumMemberAttribute), false)
                .OfType<System.Runtime.Serialization.EnumMemberAttribute>().Single().Value;
        }

        return code?.ToString() ?? (problem is IAdditionalDataHolder holder && holder.AdditionalData.TryGetValue("code", out var extra) ? extra?.ToString() : null);
    }

}

/// <summary>
/// The OAuth 2.0 client-credentials flow for Kiota's bearer-token provider: POST /connect/token through the generated
/// client itself (a form body, client_secret_post), one token per client, fetched when first needed (the tour's
/// requests are sequential, so no two fetch at once).
/// </summary>
internal sealed class ClientCredentialsTokens(DataSpaceClient anonymous, Credentials credentials, string host) : IAccessTokenProvider
{
    private string? _token;

    public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri))
        {
            return "";
        }

        if (_token is null)
        {
            var response = await anonymous.Connect.Token.PostAsync(new TokenPostRequestBody
            {
                GrantType = "client_credentials",
                ClientId = credentials.ClientId,
                ClientSecret = credentials.ClientSecret,
            }, cancellationToken: cancellationToken);
            _token = response?.AccessToken ?? throw new InvalidOperationException("/connect/token answered without an access_token");
        }

        return _token;
    }
}
