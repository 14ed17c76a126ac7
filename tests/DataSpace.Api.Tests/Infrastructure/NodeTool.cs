using System.Diagnostics;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// Runs a Node tool from tools/ (installed by `./dataspace test`, which runs npm ci there) in the repository root and
/// returns what it printed. A missing package fails the test saying what to do.
/// </summary>
internal static class NodeTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string requiredPackage, IEnumerable<string> arguments, CancellationToken ct)
    {
        var root = TestEnvironment.RepositoryRoot;
        Assert.True(Directory.Exists(Path.Combine(root, "tools", "node_modules", requiredPackage)),
            $"tools/node_modules/{requiredPackage} is missing: run the tests with ./dataspace test (it runs npm ci in tools/).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(ct);
        var stderr = node.StandardError.ReadToEndAsync(ct);
        // A hang detector, not a timing assertion.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(node.ExitCode, await stdout, await stderr);
    }
}
