namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// A small stand-in for Verify (absent from the registry): content is compared with Snapshots/NAME.verified.EXT; on a
/// difference NAME.received.EXT is written beside it (git-ignored) and the test fails, so a reviewer diffs the two and
/// renames received to verified when the change is intended.
/// </summary>
public static class Snapshot
{
    public static void Verify(string name, string extension, byte[] content)
    {
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "DataSpace.Api.Tests", "Snapshots");
        var verified = Path.Combine(folder, $"{name}.verified.{extension}");
        var received = Path.Combine(folder, $"{name}.received.{extension}");
        if (File.Exists(verified) && File.ReadAllBytes(verified).AsSpan().SequenceEqual(content))
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllBytes(received, content);
        Assert.Fail(File.Exists(verified)
            ? $"{name}.{extension} differs from its snapshot: compare {received} with {verified}; rename it if the change is intended."
            : $"{name}.{extension} has no snapshot yet: review {received} and rename it to {Path.GetFileName(verified)}.");
    }
}
