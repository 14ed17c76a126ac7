using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Features.Users;

/// <summary>
/// Time-based one-time passwords as authenticator apps make them (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits, a
/// 30-second step counted from the Unix epoch; a code is accepted for the step of now or one step either side, so a
/// phone clock a little off still works. Pure: the time comes in, no clock is read here.
/// </summary>
[FeatureService]
internal static class Totp
{
    public const int SecretBytes = 20;
    public const int Digits = 6;
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>The step <paramref name="at"/> falls in: floor(unix seconds / 30).</summary>
    public static long StepAt(DateTimeOffset at) => at.ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    /// <summary>The code of one step (RFC 4226 §5.3 dynamic truncation), zero-padded to 6 digits.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "RFC 6238 with SHA-1 is what authenticator apps compute; HMAC-SHA-1 has no known weakness as a MAC (RFC 4226 Appendix A.2).")]
    public static string CodeAt(ReadOnlySpan<byte> secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, mac);
        var offset = mac[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7fffffff;
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What a presented code is at a moment, given the last step a code was accepted for.</summary>
    public enum Outcome
    {
        /// <summary>It is the code of no step in the window.</summary>
        Wrong,

        /// <summary>It is the code of a step in the window, but a code of that step or a later one was accepted already.</summary>
        Used,

        /// <summary>It is the code of a step after the last accepted one: accept it and remember the step.</summary>
        Fresh,
    }

    /// <summary>
    /// Checks a well-formed code against the steps of now−1, now and now+1 (every step is compared, in constant time,
    /// so the answer's timing tells nothing); returns the outcome and the matching step.
    /// </summary>
    public static (Outcome Outcome, long Step) Check(ReadOnlySpan<byte> secret, string code, DateTimeOffset now, long lastAcceptedStep)
    {
        var presented = Encoding.ASCII.GetBytes(code);
        var current = StepAt(now);
        long matched = -1;
        for (var step = current - 1; step <= current + 1; step++)
        {
            // The latest matching step wins: it is the one that must be later than the last accepted.
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(CodeAt(secret, step))))
            {
                matched = step;
            }
        }

        return matched < 0 ? (Outcome.Wrong, -1) : (matched > lastAcceptedStep ? Outcome.Fresh : Outcome.Used, matched);
    }

    /// <summary>A code as people type it: six digits, spaces allowed between them; null when it is not one.</summary>
    public static string? Normalize(string? code)
    {
        var digits = code?.Replace(" ", "", StringComparison.Ordinal);
        return digits is { Length: Digits } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>RFC 4648 base32 without padding, the form authenticator apps take a secret in.</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = ((buffer << 8) | b) & 0xffff;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    /// <summary>The Key Uri Format authenticator apps read (otpauth://totp/Issuer:account?secret=…&amp;issuer=…).</summary>
    public static string Uri(string account, string base32Secret) =>
        $"otpauth://totp/DataSpace:{System.Uri.EscapeDataString(account)}?secret={base32Secret}&issuer=DataSpace";
}
