namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>The servers `./dataspace test` starts, named by environment variables.</summary>
internal static class TestEnvironment
{
    /// <summary>Connection string to the test PostgreSQL server's maintenance database.</summary>
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("DATASPACE_TEST_PG")
        ?? throw new InvalidOperationException("DATASPACE_TEST_PG is not set: run the tests with ./dataspace test, which starts PostgreSQL and Azurite.");

    /// <summary>Azurite's blob endpoint (path style, with the account), when the script started it.</summary>
    public static string? AzuriteEndpoint => Environment.GetEnvironmentVariable("DATASPACE_TEST_AZURITE");

    public const string AzuriteAccount = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft).</summary>
    public static string AzuriteKey =>
        Environment.GetEnvironmentVariable("DATASPACE_TEST_AZURITE_KEY")
        ?? "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

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
