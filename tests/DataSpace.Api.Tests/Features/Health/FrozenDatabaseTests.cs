using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Health;

/// <summary>
/// The API reaches PostgreSQL through a TCP relay the test can freeze: afterwards open connections carry nothing and
/// new ones are accepted but never answered, as with a stopped (SIGSTOP) server or a blackholed network.
/// </summary>
public sealed class FrozenDatabaseTests : IAsyncLifetime
{
    private readonly FreezableRelay _relay;
    private readonly DataSpaceApiFactory _api = new();

    public FrozenDatabaseTests()
    {
        var real = new NpgsqlConnectionStringBuilder(_api.ConnectionString);
        _relay = new FreezableRelay(real.Host!, real.Port);
        var relayed = new NpgsqlConnectionStringBuilder(_api.ConnectionString) { Host = "127.0.0.1", Port = _relay.Port };
        _api.WithSetting("ConnectionStrings:DataSpace", relayed.ConnectionString)
            .WithSetting("Database:ConnectTimeoutSeconds", "2")
            .WithSetting("Database:CommandTimeoutSeconds", "2")
            .WithSetting("Database:CancellationTimeoutSeconds", "1");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _relay.Dispose();
    }

    [Fact]
    public async Task Readiness_and_requests_answer_503_problems_when_the_database_freezes()
    {
        using var http = _api.Anonymous();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var token = await _api.ClientFor(await _api.OperatorAsync());
        Assert.Equal("ok", (await (await http.GetAsync("/health/ready", Ct)).AssertJson()).GetProperty("checks").GetProperty("database").GetString());

        _relay.Freeze();

        // Only a hang detector: without bounded timeouts these calls wait 30 s and more.
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(20));
        var ready = await http.GetAsync("/health/ready", hang.Token);
        var problem = await ready.AssertProblem(HttpStatusCode.ServiceUnavailable, "not_ready");
        Assert.Equal("unavailable", problem.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("ok", problem.GetProperty("checks").GetProperty("blob_store").GetString());

        token.Timeout = Timeout.InfiniteTimeSpan;
        await (await token.GetAsync("/v1/datasets", hang.Token)).AssertProblem(HttpStatusCode.ServiceUnavailable, "database_unavailable");
    }

    [Fact]
    public void The_timeouts_reach_the_data_source_unless_the_connection_string_sets_them()
    {
        var db = _api.Services.GetRequiredService<NpgsqlDataSource>();
        var applied = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        Assert.Equal((2, 2, 1000), (applied.Timeout, applied.CommandTimeout, applied.CancellationTimeout));

        var own = new NpgsqlConnectionStringBuilder("Host=h;Command Timeout=60");
        Api.Database.DatabaseServices.ApplyTimeouts(own, own.ConnectionString, new Api.Database.DatabaseTimeoutOptions());
        Assert.Equal((5, 60, 2000), (own.Timeout, own.CommandTimeout, own.CancellationTimeout));
    }

    /// <summary>Relays loopback TCP to PostgreSQL until frozen.</summary>
    private sealed class FreezableRelay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _sockets = [];
        private volatile bool _frozen;

        public FreezableRelay(string host, int port)
        {
            _listener.Start();
            _ = AcceptAsync(host, port);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void Freeze() => _frozen = true;

        private async Task AcceptAsync(string host, int port)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                lock (_sockets)
                {
                    _sockets.Add(client);
                }

                if (_frozen)
                {
                    continue; // accepted, never answered
                }

                var server = new TcpClient();
                lock (_sockets)
                {
                    _sockets.Add(server);
                }

                try
                {
                    await server.ConnectAsync(host, port, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                    continue;
                }

                _ = PumpAsync(client.GetStream(), server.GetStream());
                _ = PumpAsync(server.GetStream(), client.GetStream());
            }
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReadAsync(buffer, _stop.Token);
                    if (n == 0 || _frozen)
                    {
                        // Frozen: what arrives is swallowed and nothing is answered, as by a stopped server.
                        if (n == 0)
                        {
                            return;
                        }

                        continue;
                    }

                    await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (var s in _sockets)
                {
                    s.Dispose();
                }
            }

            _stop.Dispose();
        }
    }
}
