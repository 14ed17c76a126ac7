using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// Relays loopback TCP to PostgreSQL until frozen: then open connections carry nothing and new ones are accepted but
/// never answered, as with a stopped (SIGSTOP) server or a blackholed network. Thawed, it relays again.
/// </summary>
public sealed class FreezableRelay : IDisposable
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

    /// <summary>
    /// Puts a relay between the (not yet started) API of <paramref name="api"/> and its database, with 2 s connect and
    /// command timeouts and a 1 s cancellation timeout, so calls against the frozen database fail instead of waiting.
    /// </summary>
    public static FreezableRelay For(DataSpaceApiFactory api)
    {
        var real = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        var relay = new FreezableRelay(real.Host!, real.Port);
        var relayed = new NpgsqlConnectionStringBuilder(api.ConnectionString) { Host = "127.0.0.1", Port = relay.Port };
        api.WithSetting("ConnectionStrings:DataSpace", relayed.ConnectionString)
            .WithSetting("Database:ConnectTimeoutSeconds", "2")
            .WithSetting("Database:CommandTimeoutSeconds", "2")
            .WithSetting("Database:CancellationTimeoutSeconds", "1");
        return relay;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Freeze() => _frozen = true;

    public void Thaw() => _frozen = false;

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
