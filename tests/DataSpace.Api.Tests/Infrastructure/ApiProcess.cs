using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// The built API (<c>dotnet DataSpace.Api.dll</c>) as a separate operating-system process with a fixture's settings, so
/// that a test can kill it with SIGKILL — no graceful shutdown, no disposal, no rollback by our code: whatever it held in
/// PostgreSQL is released only because its connections die with it.
/// </summary>
internal sealed partial class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _pidFile;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private ApiProcess(Process process, string pidFile)
    {
        _process = process;
        _pidFile = pidFile;
    }

    /// <summary>Where the process listens (known once <see cref="StartAsync"/> returns).</summary>
    public Uri BaseAddress => _listening.Task.Result;

    /// <summary>Starts the API with the fixture's settings (and <paramref name="overrides"/>) and waits until it listens.</summary>
    public static async Task<ApiProcess> StartAsync(DataSpaceApiFactory settingsOf, IReadOnlyDictionary<string, string> overrides)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(ApiDll)!,
        };
        foreach (var a in (string[])[ApiDll, "--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(ApiDll)!])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settingsOf.Settings().Concat(overrides))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet DataSpace.Api.dll");
        var api = new ApiProcess(process, TestServers.Current.RecordChild(process.Id));
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => api.Read(e.Data);
        process.ErrorDataReceived += (_, e) => api.Read(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => api._listening.TrySetException(new InvalidOperationException("The API process exited before it listened:\n" + api.Output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await Task.WhenAny(api._listening.Task, Task.Delay(TimeSpan.FromSeconds(120))); // a hang detector
        if (ready != api._listening.Task)
        {
            await api.DisposeAsync();
            Assert.Fail("The API process did not listen within 120 s:\n" + api.Output);
        }

        await api._listening.Task;
        return api;
    }

    public string Output => string.Join('\n', _output);

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux), then waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        File.Delete(_pidFile);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (Listening().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    /// <summary>The API built beside the tests (the project reference builds it in its own folder, same configuration).</summary>
    private static string ApiDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var dll = Path.Combine(TestEnvironment.RepositoryRoot, "src", "DataSpace.Api", "bin", configuration, "net10.0", "DataSpace.Api.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[0-9.]+:[0-9]+)")]
    private static partial Regex Listening();
}
