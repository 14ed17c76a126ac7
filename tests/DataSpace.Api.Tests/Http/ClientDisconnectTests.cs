using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DataSpace.Api.Tests.Http;

/// <summary>A client that goes away mid-request is logged as a disconnect, never as an unhandled error.</summary>
public sealed class ClientDisconnectTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<NetworkStream> Send(TcpClient socket, Uri baseAddress, string head)
    {
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, Ct);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        return stream;
    }

    /// <summary>Waits (a hang detector, not a timing claim) until the API has logged the disconnect of <paramref name="path"/>.</summary>
    private async Task<(LogLevel Level, string Line)> DisconnectLogged(string path)
    {
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector: generous on a loaded machine
        while (true)
        {
            var found = api.Logs.Entries.FirstOrDefault(e => e.Line.Contains("Client disconnected", StringComparison.Ordinal) && e.Line.Contains(path, StringComparison.Ordinal));
            if (found.Line is not null)
            {
                return found;
            }

            await Task.Delay(50, hang.Token);
        }
    }

    private void AssertNoErrorAbout(string path) =>
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error && e.Line.Contains(path, StringComparison.Ordinal));

    [Fact]
    public async Task A_download_abandoned_halfway_is_logged_as_a_disconnect_not_an_error()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("断开下载数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["big.bin"] = DatasetFlow.RandomBytes(24 * 1024 * 1024) });
        var url = DatasetFlow.FileUrl(id, 1, "big.bin");

        using (var socket = new TcpClient { ReceiveBufferSize = 64 * 1024 })
        {
            var stream = await Send(socket, api.BaseAddress,
                $"GET {url} HTTP/1.1\r\nHost: {api.BaseAddress.Authority}\r\nAuthorization: Bearer {owner.DefaultRequestHeaders.Authorization!.Parameter}\r\n\r\n");
            var buffer = new byte[64 * 1024];
            for (var received = 0; received < 1024 * 1024;)
            {
                received += await stream.ReadAsync(buffer, Ct);
            }

            socket.Client.LingerState = new LingerOption(true, 0);
        }

        await api.UsageEventsSettledAsync(id);
        var logged = await DisconnectLogged(id);
        Assert.InRange(logged.Level, LogLevel.Debug, LogLevel.Information);
        AssertNoErrorAbout(id);
    }

    [Fact]
    public async Task An_upload_abandoned_halfway_is_logged_as_a_disconnect_not_an_error()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("断开上传数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);

        using (var socket = new TcpClient())
        {
            var stream = await Send(socket, api.BaseAddress,
                $"PUT {DatasetFlow.FileUrl(id, version, "half.csv")} HTTP/1.1\r\nHost: {api.BaseAddress.Authority}\r\n" +
                $"Authorization: Bearer {owner.DefaultRequestHeaders.Authorization!.Parameter}\r\nContent-Length: 1000000\r\n\r\n");
            await stream.WriteAsync(new byte[100_000], Ct);
            await stream.FlushAsync(Ct);
            await Task.Delay(200, Ct);
            socket.Client.LingerState = new LingerOption(true, 0);
        }

        var logged = await DisconnectLogged(id);
        Assert.InRange(logged.Level, LogLevel.Debug, LogLevel.Information);
        AssertNoErrorAbout(id);
    }
}
