using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DataSpace.Api.Features;

namespace DataSpace.Api.Tests.Architecture;

/// <summary>
/// No feature reaches into another feature's internals: a file under <c>src/DataSpace.Api/Features/A/</c> may name a type of
/// feature B (a top-level type declared in namespace <c>DataSpace.Api.Features.B</c>) only when B marked it
/// <see cref="FeatureServiceAttribute"/>. Shared helpers live in Http/, Database/ or Storage/; wire types in DataSpace.Contracts.
/// </summary>
public sealed partial class FeatureBoundaryTests
{
    private const string FeaturesNamespace = "DataSpace.Api.Features.";

    /// <summary>Known crossings that other work of issue 20 removes; each must still occur, so the list cannot go stale.</summary>
    private static readonly (string Feature, string Type, string Why)[] KnownExceptions =
    [
        ("Downloads", "DatasetStore", "the download handler's parameters are being bundled ([AsParameters]) by other issue-20 work; then it takes DatasetAccess"),
        ("Downloads", "VersionStore", "the same: the download handler's parameters are being bundled; then it takes VersionAccess"),
        ("Certificates", "DatasetStore", "CertificateEndpoints.Status (DatasetStore.Utc) belongs to the certificate-in-force work of issue 20, which rewrites it"),
        ("Exports", "RecordStore", "the exports read records and certificates through RecordStore; the certificate-in-force work of issue 20 rewrites that reading"),
        ("Exports", "RecordPolicyEndpoints", "the same code reads the record policies (Dcmm, Fee, NoPolicy) from the endpoints class; they move with that rework"),
    ];

    [Fact]
    public void No_feature_names_a_type_another_feature_keeps_internal()
    {
        var types = FeatureTypes();
        var root = Path.Combine(TestEnvironment.RepositoryRoot, "src", "DataSpace.Api", "Features");
        var found = new List<string>();
        var crossings = new HashSet<(string Feature, string Type)>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length < 2)
            {
                continue; // Features/*.cs: shared by every feature (the attribute itself)
            }

            foreach (var type in Violations(parts[0], File.ReadAllText(file), types))
            {
                crossings.Add((parts[0], type));
                if (!KnownExceptions.Any(k => k.Feature == parts[0] && k.Type == type))
                {
                    found.Add($"{relative.Replace(Path.DirectorySeparatorChar, '/')} names {types[type].Feature}.{type}");
                }
            }
        }

        Assert.True(found.Count == 0,
            "Features name other features' internal types; move a shared helper to Http/, Database/ or Storage/, or mark a deliberately public service [FeatureService]:\n"
            + string.Join('\n', found));
        var stale = KnownExceptions.Where(k => !crossings.Contains((k.Feature, k.Type))).Select(k => $"{k.Feature} → {k.Type}").ToList();
        Assert.True(stale.Count == 0, "Known exceptions that no longer occur; remove them from the list:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void The_check_catches_an_internal_type_named_in_code_and_nothing_else()
    {
        var types = new Dictionary<string, (string Feature, bool Public)>
        {
            ["DatasetStore"] = ("Datasets", false),
            ["DatasetAccess"] = ("Datasets", true),
            ["OrderStore"] = ("Orders", false),
            ["OrderArchive"] = ("Archive", false),
        };
        const string source = """
            using DataSpace.Api.Features.Datasets;

            namespace DataSpace.Api.Features.Orders;

            /// <summary>Not <see cref="DatasetStore"/>: a comment names no dependency.</summary>
            internal sealed class Sample(DatasetAccess datasets, OrderStore orders, MyDatasetStores stores)
            {
                // DatasetStore in a comment
                private const string Sql = \"\"\"
                    select 1 -- DatasetStore inside SQL
                    \"\"\";

                /* OrderArchive in a block comment */
                private static readonly string[] Accepted = ["*/*", "text/csv"];
                private const char Quote = '"';
                private static readonly string Said = @"a ""DatasetStore"" in a verbatim string";

                public DateTimeOffset At(DateTime t) => DatasetStore.Utc(t);

                public string Named(DateTime t) => $"at {OrderArchive.Of(t)}";
            }
            """;

        Assert.Equal(new[] { "DatasetStore", "OrderArchive" }, Violations("Orders", source.Replace("\\\"", "\"", StringComparison.Ordinal), types));
        const string quiet = """
            // DatasetStore in a comment
            /* DatasetStore in a block comment */
            string[] accepted = ["*/*", "DatasetStore"];
            char quote = '"';
            string said = @"a ""DatasetStore"" in a verbatim string";
            string sql = \"\"\"
                select 1 -- DatasetStore inside SQL
                \"\"\";
            """;
        Assert.Empty(Violations("Orders", quiet.Replace("\\\"", "\"", StringComparison.Ordinal), types));
        Assert.Empty(Violations("Orders", "internal sealed class Clean(DatasetAccess datasets, OrderStore orders);", types));
        Assert.Empty(Violations("Datasets", "internal sealed class Own(DatasetStore store);", types));
    }

    [Fact]
    public void Every_type_marked_as_a_feature_service_lives_in_a_feature()
    {
        var misplaced = typeof(FeatureServiceAttribute).Assembly.GetTypes()
            .Where(t => t.IsDefined(typeof(FeatureServiceAttribute), inherit: false) && FeatureOf(t) is null)
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(misplaced);
        Assert.Contains(typeof(FeatureServiceAttribute).Assembly.GetTypes(), t => t.IsDefined(typeof(FeatureServiceAttribute), inherit: false));
    }

    /// <summary>The internal types of other features that <paramref name="source"/> (a file of <paramref name="feature"/>) names as whole words in code.</summary>
    private static List<string> Violations(string feature, string source, Dictionary<string, (string Feature, bool Public)> types)
    {
        var words = Word().Matches(Code(source)).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        return [.. words.Where(w => types.TryGetValue(w, out var t) && t.Feature != feature && !t.Public).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The code of a C# file: comments, character literals and string literals (regular, verbatim, raw) left out, so that
    /// "*/*" or a type's name in a sentence or in SQL counts for nothing; interpolated strings are kept, their holes are code.
    /// </summary>
    private static string Code(string source)
    {
        var code = new StringBuilder(source.Length);
        var i = 0;
        char At(int k) => k < source.Length ? source[k] : '\0';
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '/' && At(i + 1) == '/')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(i + 1) == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
                code.Append(' ');
            }
            else if (c == '\'')
            {
                var j = i + 1;
                if (At(j) == '\\')
                {
                    j += 2;
                    while (j < source.Length && source[j] != '\'')
                    {
                        j++;
                    }
                }
                else
                {
                    j++;
                }

                i = j + 1;
                code.Append(' ');
            }
            else if (c == '"')
            {
                var prefix = i;
                while (prefix > 0 && source[prefix - 1] is '$' or '@')
                {
                    prefix--;
                }

                var interpolated = source.AsSpan(prefix, i - prefix).Contains('$');
                var verbatim = source.AsSpan(prefix, i - prefix).Contains('@');
                var quotes = 0;
                while (At(i + quotes) == '"')
                {
                    quotes++;
                }

                int start, end, close;
                if (verbatim)
                {
                    (start, end, close) = (i + 1, i + 1, 1);
                    while (end < source.Length && !(source[end] == '"' && At(end + 1) != '"'))
                    {
                        end += source[end] == '"' ? 2 : 1;
                    }
                }
                else if (quotes >= 3)
                {
                    (start, close) = (i + quotes, quotes);
                    end = source.IndexOf(new string('"', quotes), start, StringComparison.Ordinal);
                }
                else if (quotes == 2)
                {
                    (start, end, close) = (i + 2, i + 2, 0);
                }
                else
                {
                    (start, end, close) = (i + 1, i + 1, 1);
                    while (end < source.Length && source[end] is not '"' and not '\n')
                    {
                        end += source[end] == '\\' ? 2 : 1;
                    }
                }

                end = end < 0 ? source.Length : Math.Min(end, source.Length);
                code.Append(interpolated ? source[start..end] : " ");
                i = end + close;
            }
            else
            {
                code.Append(c);
                i++;
            }
        }

        return code.ToString();
    }

    /// <summary>Top-level types of every feature namespace in the API assembly, by simple name.</summary>
    private static Dictionary<string, (string Feature, bool Public)> FeatureTypes()
    {
        var types = new Dictionary<string, (string Feature, bool Public)>(StringComparer.Ordinal);
        foreach (var type in typeof(FeatureServiceAttribute).Assembly.GetTypes())
        {
            if (type.IsNested || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) || FeatureOf(type) is not { } feature)
            {
                continue;
            }

            var name = type.Name.Split('`')[0];
            var isPublic = type.IsDefined(typeof(FeatureServiceAttribute), inherit: false);
            // Two features declaring the same simple name would make a match ambiguous: fail loudly rather than guess.
            Assert.False(types.TryGetValue(name, out var other) && other.Feature != feature,
                $"{name} is declared in both {other.Feature} and {feature}; give one another name");
            types[name] = (feature, isPublic || (types.TryGetValue(name, out var same) && same.Public));
        }

        Assert.NotEmpty(types);
        return types;
    }

    private static string? FeatureOf(Type type) =>
        type.Namespace is { } ns && ns.StartsWith(FeaturesNamespace, StringComparison.Ordinal) ? ns[FeaturesNamespace.Length..].Split('.')[0] : null;

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9_]*\b")]
    private static partial Regex Word();
}
