using System.Diagnostics;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>Runs Debian's openssl (a verifier nobody here wrote) in a folder; returns whether it succeeded and what it printed.</summary>
internal static class OpensslTool
{
    public static async Task<(bool Ok, string Output)> RunAsync(string folder, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode == 0, await stdout + await stderr);
    }
}
