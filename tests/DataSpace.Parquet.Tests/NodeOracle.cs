using System.Diagnostics;
using System.Text.Json;

namespace DataSpace.Parquet.Tests;

/// <summary>
/// Runs tools/parquet-oracle.mjs (DuckDB and hyparquet from tools/node_modules). Missing node or packages fail the
/// test with what to do: `./dataspace test` installs them.
/// </summary>
internal static class NodeOracle
{
    public static string RepoRoot { get; } = FindRoot();

    public static JsonElement Run(params string[] args)
    {
        var tools = Path.Combine(RepoRoot, "tools");
        foreach (var package in new[] { "@duckdb/node-api", "hyparquet", "hyparquet-writer" })
        {
            if (!Directory.Exists(Path.Combine(tools, "node_modules", package)))
            {
                Assert.Fail($"tools/node_modules/{package} is missing: run `./dataspace test` (or `npm ci` in tools/) so the Parquet oracles can run.");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(tools, "parquet-oracle.mjs"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"`node` could not be started ({e.Message}): install Node.js 20+ (./dataspace test expects it on PATH).");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("parquet-oracle.mjs did not finish within 3 minutes.");
            }

            if (process.ExitCode != 0)
            {
                Assert.Fail($"parquet-oracle.mjs {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
            }

            using var doc = JsonDocument.Parse(stdout.Result);
            return doc.RootElement.Clone();
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataSpace.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No DataSpace.sln above {AppContext.BaseDirectory}.");
    }
}
