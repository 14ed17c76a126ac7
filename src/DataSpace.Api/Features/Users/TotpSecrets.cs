using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace DataSpace.Api.Features.Users;

/// <summary>
/// Keeps TOTP secrets unreadable outside the API: ASP.NET Core Data Protection (authenticated encryption under the key
/// ring that already protects the session cookie; Console:KeysFolder shares it between replicas) rather than a key of
/// our own, so key storage, rotation and the algorithm are the framework's. Retired keys stay in the ring and still
/// decrypt, so rotation never locks anyone out; deleting the key ring does (back it up with the database). Each
/// purpose is bound to the user id, so a secret or an enrolment token of one person is useless for another.
/// </summary>
[FeatureService]
internal sealed class TotpSecrets(IDataProtectionProvider protection)
{
    private const string SecretPurpose = "DataSpace.Console.Totp.Secret.v1";
    private const string EnrolmentPurpose = "DataSpace.Console.Totp.Enrolment.v1";

    /// <summary>How long an enrolment may take between showing the secret and confirming it with a code.</summary>
    public static readonly TimeSpan EnrolmentLifetime = TimeSpan.FromMinutes(10);

    public string Protect(Guid userId, byte[] secret) =>
        Convert.ToBase64String(protection.CreateProtector(SecretPurpose, userId.ToString()).Protect(secret));

    public byte[] Unprotect(Guid userId, string stored) =>
        protection.CreateProtector(SecretPurpose, userId.ToString()).Unprotect(Convert.FromBase64String(stored));

    /// <summary>
    /// The enrolment token: the new secret and when the enrolment ends, encrypted for this user. The secret is stored
    /// only when the person confirms it with a code; until then it lives in this token and nowhere else.
    /// </summary>
    public string EnrolmentToken(Guid userId, byte[] secret, DateTimeOffset expiresAt)
    {
        var payload = new byte[8 + secret.Length];
        BinaryPrimitives.WriteInt64BigEndian(payload, expiresAt.ToUnixTimeSeconds());
        secret.CopyTo(payload, 8);
        return Base64UrlEncode(protection.CreateProtector(EnrolmentPurpose, userId.ToString()).Protect(payload));
    }

    /// <summary>The secret of an enrolment token of this user that has not expired at <paramref name="now"/>; null otherwise.</summary>
    public byte[]? ReadEnrolmentToken(Guid userId, string token, DateTimeOffset now)
    {
        byte[] payload;
        try
        {
            payload = protection.CreateProtector(EnrolmentPurpose, userId.ToString()).Unprotect(System.Buffers.Text.Base64Url.DecodeFromChars(token));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }

        return payload.Length == 8 + Totp.SecretBytes && DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload)) > now
            ? payload[8..]
            : null;
    }

    private static string Base64UrlEncode(byte[] data) => System.Buffers.Text.Base64Url.EncodeToString(data);
}
