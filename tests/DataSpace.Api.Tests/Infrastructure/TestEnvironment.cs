namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>The servers of this test run (started by <see cref="TestServers"/>) and the repository's place.</summary>
internal static class TestEnvironment
{
    /// <summary>Connection string to the test PostgreSQL server's maintenance database, as its superuser.</summary>
    public static string PostgresAdmin => TestServers.Current.PostgresAdmin;

    /// <summary>Azurite's blob endpoint (path style, with the account).</summary>
    public static string? AzuriteEndpoint => TestServers.Current.AzuriteEndpoint;

    public const string AzuriteAccount = "devstoreaccount1";

    /// <summary>Azurite's account key for this run.</summary>
    public static string AzuriteKey => TestServers.Current.AzuriteKey;

    /// <summary>A path in this run's own scratch folder (never a shared folder another user may own).</summary>
    public static string Scratch(string name) => TestServers.Current.Scratch(name);

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataSpace.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (DataSpace.sln) above the test binaries.");
        }
    }
}
