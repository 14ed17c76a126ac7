using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace DataSpace.Api.Database;

/// <summary>One numbered SQL migration: <c>NNNN_name.sql</c>, embedded in this assembly.</summary>
internal sealed record Migration(int Version, string Name, string Sql)
{
    // Computed, not stored: a stored value would survive a `with { Sql = … }` copy and hide an edit.
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(Sql))));

    public static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migration).Assembly;
        const string prefix = "DataSpace.Api.Database.Migrations.";
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => FromResource(assembly, n, n[prefix.Length..]))
            .OrderBy(m => m.Version)];
    }

    private static Migration FromResource(Assembly assembly, string resource, string fileName)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !int.TryParse(fileName.AsSpan(0, underscore), out var version))
        {
            throw new InvalidOperationException($"Migration '{fileName}' must be named NNNN_description.sql.");
        }

        return new Migration(version, fileName, reader.ReadToEnd());
    }

    // Line endings must not change a checksum: a checkout with CRLF is the same migration.
    private static string Normalize(string sql) => sql.Replace("\r\n", "\n", StringComparison.Ordinal);
}
