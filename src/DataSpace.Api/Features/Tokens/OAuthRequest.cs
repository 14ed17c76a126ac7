using System.Buffers;
using System.Text;
using DataSpace.Api.Features.Clients;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Tokens;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace DataSpace.Api.Features.Tokens;

/// <summary>
/// Reads an OAuth endpoint's form body (bounded in size, each parameter at most once: RFC 6749 §3.2) and
/// authenticates the calling client by client_secret_basic or client_secret_post (§2.3.1), never both.
/// Failures come back as ready-to-send results with RFC 6749 §5.2 bodies.
/// </summary>
internal sealed class OAuthRequest
{
    private static readonly byte[] DummyHash = new byte[32];

    private OAuthRequest(Dictionary<string, StringValues> form) => Form = form;

    public Dictionary<string, StringValues> Form { get; }

    public string? this[string name] => Form.TryGetValue(name, out var v) ? v.ToString() : null;

    public static async Task<(OAuthRequest? Request, IResult? Failure)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Error(StatusCodes.Status400BadRequest, OAuthErrorCodes.InvalidRequest, "The body must be application/x-www-form-urlencoded."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), ct)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                return (null, Error(StatusCodes.Status400BadRequest, OAuthErrorCodes.InvalidRequest, "The form body is not valid UTF-8."));
            }

            var form = new Dictionary<string, StringValues>(StringComparer.Ordinal);
            var reader = new FormReader(text) { ValueCountLimit = 64 };
            try
            {
                while (reader.ReadNextPair() is { } pair)
                {
                    form[pair.Key] = form.TryGetValue(pair.Key, out var existing) ? StringValues.Concat(existing, pair.Value) : new StringValues(pair.Value);
                }
            }
            catch (InvalidDataException)
            {
                return (null, Error(StatusCodes.Status400BadRequest, OAuthErrorCodes.InvalidRequest, "The form body has too many parameters."));
            }

            if (form.FirstOrDefault(p => p.Value.Count > 1) is { Key: { } repeated })
            {
                return (null, Error(StatusCodes.Status400BadRequest, OAuthErrorCodes.InvalidRequest, $"The parameter '{repeated}' must not be sent more than once."));
            }

            return (new OAuthRequest(form), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the form and authenticates the calling client, as introspection and revocation both begin.</summary>
    public static async Task<(OAuthRequest? Request, ClientStore.ClientCredentials? Client, IResult? Failure)> ReadFromClientAsync(
        HttpRequest request, ClientStore clients, int maxBytes, CancellationToken ct)
    {
        var (form, failure) = await ReadAsync(request, maxBytes, ct);
        if (form is null)
        {
            return (null, null, failure);
        }

        var (client, authFailure) = await form.AuthenticateClientAsync(request, clients, ct);
        return client is null ? (null, null, authFailure) : (form, client, null);
    }

    /// <summary>Authenticates the client; on failure returns invalid_client (401) or invalid_request (400).</summary>
    public async Task<(ClientStore.ClientCredentials? Client, IResult? Failure)> AuthenticateClientAsync(HttpRequest request, ClientStore clients, CancellationToken ct)
    {
        string? header = request.Headers.Authorization;
        var basic = header is not null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        var postId = this["client_id"];
        var postSecret = this["client_secret"];
        if (basic && (postSecret is not null || postId is not null))
        {
            return (null, Error(StatusCodes.Status400BadRequest, OAuthErrorCodes.InvalidRequest,
                "Use one client authentication method: HTTP Basic or client_id/client_secret in the form, not both."));
        }

        string? id, secret;
        if (basic)
        {
            if (!TryDecodeBasic(header![6..].Trim(), out id, out secret))
            {
                return (null, InvalidClient(true, "The Basic credentials are malformed."));
            }
        }
        else
        {
            (id, secret) = (postId, postSecret);
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            return (null, InvalidClient(basic, "Client authentication is required: HTTP Basic (client_secret_basic) or client_id and client_secret in the form (client_secret_post)."));
        }

        var client = id.Length <= 200 ? await clients.FindCredentialsAsync(id, ct) : null;

        // Hash even for an unknown client, so response time does not tell which client ids exist.
        var matches = Auth.Secrets.Matches(secret, client?.SecretSha256 ?? DummyHash);
        if (client is null || !matches || client.DisabledAt is not null)
        {
            return (null, InvalidClient(basic, "Client authentication failed."));
        }

        return (client, null);
    }

    public static IResult Error(int status, string error, string description, bool basicChallenge = false) =>
        new OAuthErrorResult(status, new OAuthError(error, description), basicChallenge);

    private static IResult InvalidClient(bool basic, string description) =>
        Error(StatusCodes.Status401Unauthorized, OAuthErrorCodes.InvalidClient, description, basicChallenge: basic);

    private static ProblemHttpResult TooLarge(int maxBytes) =>
        Problem.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The request body is too large",
            $"OAuth endpoints accept form bodies of at most {maxBytes} bytes.");

    // RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined with ':' and base64-encoded.
    private static bool TryDecodeBasic(string value, out string? id, out string? secret)
    {
        (id, secret) = (null, null);
        Span<byte> bytes = stackalloc byte[1024];
        if (value.Length > 1300 || !Convert.TryFromBase64String(value, bytes, out var written))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(bytes[..written]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        id = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        return true;
    }

    /// <summary>An RFC 6749 §5.2 JSON error with no-store caching and, for Basic, the challenge.</summary>
    private sealed class OAuthErrorResult(int status, OAuthError error, bool basicChallenge) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.CacheControl = "no-store";
            if (basicChallenge)
            {
                httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"dataspace\", charset=\"UTF-8\"";
            }

            return httpContext.Response.WriteAsJsonAsync(error, httpContext.RequestAborted);
        }
    }
}
