namespace DataSpace.Api.Features.Organizations;

/// <summary>
/// 统一社会信用代码 per GB 32100-2015: 18 characters from a 31-character alphabet (digits and upper-case letters
/// without I, O, S, V, Z): registration authority (1), organisation category (1), administrative division (6 digits),
/// organisation code (9), and a check character computed over the first 17 with weights 3^i mod 31.
/// </summary>
[FeatureService]
internal static class UnifiedSocialCreditCode
{
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Validates a code; returns null when valid, else a sentence saying what is wrong.</summary>
    public static string? Problem(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return "is required";
        }

        if (code.Length != 18)
        {
            return $"must be exactly 18 characters (got {code.Length})";
        }

        for (var i = 0; i < 18; i++)
        {
            if (Alphabet.IndexOf(code[i], StringComparison.Ordinal) < 0)
            {
                return $"character {i + 1} ('{code[i]}') is not allowed: use digits and upper-case letters except I, O, S, V, Z";
            }
        }

        for (var i = 2; i < 8; i++)
        {
            if (!char.IsAsciiDigit(code[i]))
            {
                return "characters 3–8 (the administrative division code) must be digits";
            }
        }

        var expected = CheckCharacter(code.AsSpan(0, 17));
        return code[17] == expected ? null : $"check character is '{code[17]}' but GB 32100-2015 gives '{expected}': the code is mistyped";
    }

    /// <summary>The check character for the first 17 characters (which must be from <see cref="Alphabet"/>).</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        }

        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }
}
