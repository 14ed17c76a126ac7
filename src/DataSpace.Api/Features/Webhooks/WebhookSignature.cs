using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com/, spec v1): the secret is <c>whsec_</c> + base64 of
/// random bytes; the signature is <c>v1,</c> + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), and
/// the <c>webhook-signature</c> header lists one per current secret separated by spaces, so a receiver that knows either
/// secret of a rotation verifies.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 32 random bytes (the spec allows 24 to 64).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header value for every secret given (nulls skipped).</summary>
    public static string Header(IEnumerable<string?> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var parts = new List<string>();
        foreach (var secret in secrets)
        {
            if (secret is not null)
            {
                parts.Add(Sign(secret, id, timestamp, body));
            }
        }

        return string.Join(' ', parts);
    }
}
