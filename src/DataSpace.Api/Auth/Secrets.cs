using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Auth;

/// <summary>Server-generated secrets and tokens, and the one-way hashes we store instead of them.</summary>
internal static class Secrets
{
    public const string ClientSecretPrefix = "dss_";
    public const string AccessTokenPrefix = "dst_";

    /// <summary>32 random bytes (256 bits), base64url, behind a prefix that secret scanners can recognise.</summary>
    public static string NewClientSecret() => ClientSecretPrefix + RandomBase64Url(32);

    public static string NewAccessToken() => AccessTokenPrefix + RandomBase64Url(32);

    /// <summary>256 random bits, base64url, no prefix: console session ids and CSRF tokens (never shown to scanners).</summary>
    public static string NewRandom() => RandomBase64Url(32);

    /// <summary>A readable client id: 16 random bytes in lower-case base32-like hex.</summary>
    public static string NewClientId() => "dsc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static byte[] Sha256(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>Compares a presented secret with a stored hash in time independent of where they differ.</summary>
    public static bool Matches(string presented, ReadOnlySpan<byte> storedSha256) =>
        CryptographicOperations.FixedTimeEquals(Sha256(presented), storedSha256);

    private static string RandomBase64Url(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
