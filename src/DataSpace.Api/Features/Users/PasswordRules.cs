using System.Collections.Frozen;
using DataSpace.Api.Problems;

namespace DataSpace.Api.Features.Users;

/// <summary>
/// What a new password must be, in the spirit of NIST SP 800-63B §3.1.1.2: long enough, not common or trivially
/// regular, not the account's own address, not the old password; no composition rules (they make passwords harder
/// to remember, not harder to guess). Each refusal has its own stable code, so the console can say what to change.
/// </summary>
[FeatureService]
internal static class PasswordRules
{
    public const int MinLength = 12;
    public const int MaxLength = 200;

    /// <summary>A refusal of a new password: its problem code and a sentence for the detail.</summary>
    public sealed record Weakness(string Code, string Title, string Detail);

    // Words people build "strong" passwords from ("Password2025!", "Qwerty123456"): with digits and symbols taken
    // away, what is left must not be one of them. A short list on purpose: the length rule does the heavy lifting.
    private static readonly FrozenSet<string> CommonWords = new[]
    {
        "password", "passw0rd", "passwort", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbn", "abc", "abcd", "abcdef",
        "admin", "administrator", "root", "welcome", "letmein", "iloveyou", "changeme", "secret", "dataspace", "woaini",
        "mima", "aaaaaa", "test", "user", "login", "monkey", "dragon", "football", "baseball", "master", "sunshine", "princess",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Runs along these are keyboard or counting patterns ("123456789012", "qwertyuiopas", "abcdefghijkl").
    private static readonly string[] Sequences =
    [
        "01234567890123456789", "98765432109876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn", "1q2w3e4r5t6y7u8i9o0p",
    ];

    /// <summary>The first rule <paramref name="candidate"/> breaks, or null when it may be the new password.</summary>
    public static Weakness? Check(string candidate, string current, string email)
    {
        var length = candidate.EnumerateRunes().Count();
        if (length < MinLength)
        {
            return new(ProblemCodes.PasswordTooShort, "The new password is too short",
                $"It has {length} characters; use at least {MinLength}. A phrase of a few words is long and easy to remember.");
        }

        if (length > MaxLength)
        {
            return new(ProblemCodes.PasswordTooLong, "The new password is too long", $"It has {length} characters; use at most {MaxLength}.");
        }

        if (string.Equals(candidate, current, StringComparison.Ordinal))
        {
            return new(ProblemCodes.PasswordUnchanged, "The new password is the current one", "Choose a password different from the current one.");
        }

        var lower = candidate.ToLowerInvariant();
        var local = email.Split('@')[0];
        if (lower.Contains(email, StringComparison.Ordinal) || (local.Length >= 4 && lower.Contains(local, StringComparison.Ordinal)))
        {
            return new(ProblemCodes.PasswordContainsEmail, "The new password contains your e-mail address",
                "An address is the first thing anyone guessing tries; choose a password unrelated to your account.");
        }

        var letters = new string([.. lower.Where(char.IsLetter)]);
        if (lower.Distinct().Count() <= 3 || CommonWords.Contains(letters) || Sequences.Any(s => s.Contains(lower, StringComparison.Ordinal)))
        {
            return new(ProblemCodes.PasswordTooCommon, "The new password is too easy to guess",
                "It is a common password, a common word with digits or symbols around it, a keyboard or counting run, or a few characters repeated.");
        }

        return null;
    }
}
