using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

// The tests run servers as Linux processes (PostgreSQL under runuser, Azurite under setsid).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: AssemblyFixture(typeof(DataSpace.Api.Tests.Infrastructure.TestServers))]

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// The servers this test assembly needs — a throwaway PostgreSQL cluster and Azurite — started once per run on free
/// ports, so that plain <c>dotnet test</c> (or an IDE's test explorer) works without a wrapper.
///
/// Everything lives in one per-run folder under <c>/tmp/dataspace-tests-UID/</c>, with the test process's pid in it.
/// The servers are stopped by pid when the run ends; a watchdog process stops them if the run is killed; and a folder
/// whose owner is gone (a run killed together with its watchdog) is cleaned at the next start. When
/// <c>DATASPACE_TEST_PG</c> is set the tests use those servers instead and start nothing
/// (<c>DATASPACE_TEST_AZURITE</c> and <c>DATASPACE_TEST_AZURITE_KEY</c> name the Azurite to use, if any).
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    private const string PgSystemUser = "dataspace-pg"; // initdb refuses root: as root the cluster runs as this user
    private const string AzuriteAccount = "devstoreaccount1";
    private const int FirstPort = 20000;                 // below Linux's ephemeral range (32768–60999)
    private const int LastPort = 32000;

    private static TestServers? _current;

    private string? _runDir;
    private string? _pgBin;
    private string? _pgData;
    private int? _azuritePid;
    private int? _watchdogPid;

    /// <summary>The servers of this run; set before any test starts.</summary>
    internal static TestServers Current => _current ?? throw new InvalidOperationException("The test servers are not started (the assembly fixture did not run).");

    /// <summary>Connection string of the cluster's superuser, maintenance database.</summary>
    public string PostgresAdmin { get; private set; } = "";

    /// <summary>The role the API under test runs as: data rights only, granted by the migration runner per database.</summary>
    public string ApplicationRole { get; } = "dataspace_test_app";

    /// <summary>Its password (generated per run in a cluster of our own).</summary>
    public string ApplicationPassword { get; private set; } = "dataspace_test_app";

    /// <summary>Azurite's blob endpoint (path style, with the account).</summary>
    public string? AzuriteEndpoint { get; private set; }

    /// <summary>Azurite's account key: generated per run, never the well-known development key.</summary>
    public string AzuriteKey { get; private set; } = "";

    /// <summary>A folder of this run's own (under its run folder, owned by whoever runs the tests), removed at the end.</summary>
    public string Scratch(string name)
    {
        var path = Path.Combine(_runDir ?? throw new InvalidOperationException("The test servers are not started."), "scratch", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>
    /// Records a child process the tests started (an API process), so the watchdog kills it if the run dies first;
    /// the test that started it removes the record when it has stopped it.
    /// </summary>
    internal string RecordChild(int pid)
    {
        var file = Scratch(Path.Combine("..", "children", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".pid"));
        File.WriteAllText(file, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return file;
    }

    public async ValueTask InitializeAsync()
    {
        _current = this;
        var baseDir = Path.Combine(IsRoot ? "/tmp" : Path.GetTempPath(), $"dataspace-tests-{Environment.UserName}");
        Directory.CreateDirectory(baseDir);
        await CleanStaleRunsAsync(baseDir);

        _runDir = Path.Combine(baseDir, $"run-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}");
        Directory.CreateDirectory(_runDir);
        File.SetUnixFileMode(_runDir, (UnixFileMode)0b111_101_101); // 755: the PostgreSQL user passes through
        await File.WriteAllTextAsync(Path.Combine(_runDir, "owner"), $"{Environment.ProcessId} {ProcessStartTime(Environment.ProcessId)}\n");

        try
        {
            StartWatchdog();
            if (Environment.GetEnvironmentVariable("DATASPACE_TEST_PG") is { Length: > 0 } external)
            {
                PostgresAdmin = external;
                AzuriteEndpoint = Environment.GetEnvironmentVariable("DATASPACE_TEST_AZURITE") is { Length: > 0 } az ? az : null;
                AzuriteKey = Environment.GetEnvironmentVariable("DATASPACE_TEST_AZURITE_KEY")
                    ?? "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
                await EnsureApplicationRoleAsync();
                return;
            }

            await StartPostgresAsync();
            ApplicationPassword = RandomNumberGenerator.GetHexString(32, lowercase: true);
            await EnsureApplicationRoleAsync();
            await StartAzuriteAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_runDir is null)
        {
            return;
        }

        if (_watchdogPid is { } watchdog)
        {
            Kill(watchdog);
        }

        NpgsqlConnection.ClearAllPools();
        await StopServersAsync(_runDir);
        await TryDeleteAsync(_runDir);
        _runDir = null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // PostgreSQL
    // ---------------------------------------------------------------------------------------------------------------

    private async Task StartPostgresAsync()
    {
        _pgBin = FindPostgresBin();
        _pgData = Path.Combine(_runDir!, "pg");
        var socketDir = Path.Combine(_runDir!, "pg-run"); // socket and log: written by the PostgreSQL user
        Directory.CreateDirectory(_pgData);
        Directory.CreateDirectory(socketDir);
        var password = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var pwfile = Path.Combine(_runDir!, "pwfile");
        await File.WriteAllTextAsync(pwfile, password + "\n");
        File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (IsRoot)
        {
            EnsurePgSystemUser();
            Run("chown", [PgSystemUser, _pgData, socketDir, pwfile]);
        }

        File.SetUnixFileMode(_pgData, (UnixFileMode)0b111_000_000);
        var locale = Run("locale", ["-a"], allowFailure: true).Output.Split('\n')
            .Any(l => l.Trim().Equals("C.utf8", StringComparison.OrdinalIgnoreCase) || l.Trim().Equals("C.UTF-8", StringComparison.OrdinalIgnoreCase)) ? "C.UTF-8" : "C";
        RunAsPostgres(Path.Combine(_pgBin, "initdb"),
            ["-D", _pgData, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={pwfile}", "--encoding=UTF8", $"--locale={locale}", "--no-sync", "--no-instructions"]);
        File.Delete(pwfile);

        // Unix sockets are limited to ~107 bytes of path: tests connect over TCP anyway.
        var sockets = socketDir.Length <= 90 ? socketDir : "";
        await File.AppendAllTextAsync(Path.Combine(_pgData, "postgresql.conf"), $"""

            # throwaway test cluster: durability buys nothing, speed does
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{sockets}'
            max_connections = 300
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """);

        var log = Path.Combine(socketDir, "postgres.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var result = RunAsPostgres(Path.Combine(_pgBin, "pg_ctl"), ["-D", _pgData, "-l", log, "-w", "-t", "60", "-o", $"-p {port}", "start"], allowFailure: true);
            if (result.ExitCode == 0)
            {
                PostgresAdmin = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Password = password,
                    Database = "postgres",
                    MaxPoolSize = 50,
                }.ConnectionString;
                return;
            }

            var tail = Tail(log);
            if (attempt < 5 && (tail.Contains("could not bind", StringComparison.Ordinal) || tail.Contains("Address already in use", StringComparison.Ordinal)))
            {
                continue; // another program took the port between our check and the bind
            }

            throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit {result.ExitCode}):\n{result.Output}\n{tail}");
        }
    }

    private async Task EnsureApplicationRoleAsync()
    {
        await using var conn = new NpgsqlConnection(PostgresAdmin);
        await conn.OpenAsync();
        await using var exists = new NpgsqlCommand("select exists (select 1 from pg_roles where rolname = $1)", conn) { Parameters = { new() { Value = ApplicationRole } } };
        var verb = (bool)(await exists.ExecuteScalarAsync())! ? "alter" : "create";
        // A role's password cannot be a parameter; it is hex or the fixed test word, so quoting it is enough.
        await using var create = new NpgsqlCommand($"{verb} role {ApplicationRole} login password '{ApplicationPassword}'", conn);
        await create.ExecuteNonQueryAsync();
    }

    private static string FindPostgresBin()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(c => c.Version > 0 && File.Exists(Path.Combine(c.Dir, "initdb")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Where(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return candidates.Concat(onPath).FirstOrDefault()
            ?? throw new InvalidOperationException(
                "PostgreSQL's server programs (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or on PATH: " +
                "run ./dataspace test once (it installs Debian's postgresql package), or apt-get install postgresql.");
    }

    private static void EnsurePgSystemUser()
    {
        if (Run("id", ["-u", PgSystemUser], allowFailure: true).ExitCode != 0)
        {
            Run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PgSystemUser], allowFailure: true);
        }
    }

    private static ProcessResult RunAsPostgres(string program, IReadOnlyList<string> args, bool allowFailure = false) =>
        IsRoot ? Run("runuser", ["-u", PgSystemUser, "--", program, .. args], allowFailure) : Run(program, args, allowFailure);

    // ---------------------------------------------------------------------------------------------------------------
    // Azurite
    // ---------------------------------------------------------------------------------------------------------------

    private async Task StartAzuriteAsync()
    {
        var azurite = FindAzurite();
        var location = Path.Combine(_runDir!, "azurite");
        Directory.CreateDirectory(location);
        AzuriteKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var log = Path.Combine(_runDir!, "azurite.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            // Azurite's standard streams go to its log, never to this process's pipes.
            using var process = StartDetached("exec \"$0\" \"$@\" </dev/null >>\"$LOG\" 2>&1",
                [azurite, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--location", location, "--loose", "--disableTelemetry"],
                new Dictionary<string, string> { ["LOG"] = log, ["AZURITE_ACCOUNTS"] = $"{AzuriteAccount}:{AzuriteKey}" });
            _azuritePid = process.Id;
            await File.WriteAllTextAsync(Path.Combine(_runDir!, "azurite.pid"), process.Id + "\n");

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !process.HasExited && !Accepts(port))
            {
                await Task.Delay(50);
            }

            if (!process.HasExited && Accepts(port))
            {
                AzuriteEndpoint = $"http://127.0.0.1:{port}/{AzuriteAccount}";
                return;
            }

            Kill(process.Id);
            var tail = Tail(log);
            if (attempt < 5 && tail.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                continue;
            }

            throw new InvalidOperationException($"Azurite did not listen on 127.0.0.1:{port}:\n{tail}");
        }
    }

    private static string FindAzurite()
    {
        var local = Path.Combine(TestEnvironment.RepositoryRoot, "tools", "node_modules", ".bin", "azurite-blob");
        if (File.Exists(local))
        {
            return local;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "azurite-blob")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "azurite-blob was found neither under tools/node_modules/.bin nor on PATH: run ./dataspace test once, or `npm ci` in tools/.");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stopping, the watchdog and stale runs
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>A process of its own session that waits for this one to end, then stops the servers and removes the folder.</summary>
    private void StartWatchdog()
    {
        const string script = """
            exec </dev/null >/dev/null 2>&1
            while kill -0 "$OWNER" 2>/dev/null; do sleep 1; done
            for f in "$RUN"/children/*.pid; do if [ -f "$f" ]; then kill -9 "$(cat "$f")"; fi; done
            if [ -f "$RUN/azurite.pid" ]; then kill -9 "$(cat "$RUN/azurite.pid")"; fi
            if [ -f "$RUN/pg/postmaster.pid" ]; then kill -QUIT "$(head -n 1 "$RUN/pg/postmaster.pid")"; sleep 2; fi
            rm -rf "$RUN"
            """;
        using var process = StartDetached(script, [], new Dictionary<string, string>
        {
            ["OWNER"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RUN"] = _runDir!,
        });
        _watchdogPid = process.Id;
    }

    /// <summary>
    /// <c>setsid sh -c SCRIPT ARGS…</c>: a session of its own, so a Ctrl-C meant for the test run does not reach it before
    /// the cleanup; the script points its standard streams away from this process's pipes, which an orphan would keep open.
    /// </summary>
    private static Process StartDetached(string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])["sh", "-c", script, .. args])
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start sh -c {script.Split('\n')[0]}");
    }

    private static async Task CleanStaleRunsAsync(string baseDir)
    {
        foreach (var dir in Directory.GetDirectories(baseDir, "run-*"))
        {
            var owner = File.Exists(Path.Combine(dir, "owner")) ? File.ReadAllText(Path.Combine(dir, "owner")).Split(' ', StringSplitOptions.TrimEntries) : [];
            if (owner.Length == 2 && int.TryParse(owner[0], out var pid) && ProcessStartTime(pid) == owner[1])
            {
                continue; // a run still going on (in parallel with this one)
            }

            await StopServersAsync(dir);
            await TryDeleteAsync(dir);
        }
    }

    /// <summary>Stops the servers recorded in a run folder, each only if its pid still runs that server.</summary>
    private static async Task StopServersAsync(string runDir)
    {
        if (ReadPid(Path.Combine(runDir, "azurite.pid")) is { } azurite && CommandLine(azurite).Contains("azurite", StringComparison.Ordinal))
        {
            Kill(azurite);
        }

        if (ReadPid(Path.Combine(runDir, "pg", "postmaster.pid")) is { } postmaster && CommandLine(postmaster).Contains("postgres", StringComparison.Ordinal))
        {
            // SIGQUIT is PostgreSQL's immediate shutdown: a throwaway cluster needs no checkpoint.
            Run("kill", ["-QUIT", postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture)], allowFailure: true);
            for (var i = 0; i < 100 && Directory.Exists($"/proc/{postmaster}"); i++)
            {
                await Task.Delay(50);
            }

            if (Directory.Exists($"/proc/{postmaster}"))
            {
                Kill(postmaster);
            }
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault()?.Trim(), out var pid) && pid > 1 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks): tells a live process from a recycled pid.</summary>
    private static string ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "";
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    private static async Task TryDeleteAsync(string dir)
    {
        for (var i = 0; i < 20; i++)
        {
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(100); // a server still closing its files
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Small helpers
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>A port below the ephemeral range that nothing listens on now; callers retry when a bind still fails.</summary>
    private static int FreePort()
    {
        for (var i = 0; i < 200; i++)
        {
            var port = RandomNumberGenerator.GetInt32(FirstPort, LastPort);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
                if (!Accepts(port))
                {
                    return port;
                }
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        throw new InvalidOperationException($"No free port found between {FirstPort} and {LastPort}.");
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Tail(string file) =>
        File.Exists(file) ? string.Join('\n', File.ReadLines(file).TakeLast(30)) : $"({file} does not exist)";

    private sealed record ProcessResult(int ExitCode, string Output);

    private static ProcessResult Run(string program, IReadOnlyList<string> args, bool allowFailure = false)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} did not finish within 120 s");
        }

        var result = new ProcessResult(process.ExitCode, stdout.Result + stderr.Result);
        if (result.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed with exit code {result.ExitCode}:\n{result.Output}");
        }

        return result;
    }

    private static bool IsRoot => Environment.UserName == "root";
}
