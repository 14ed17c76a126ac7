using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DataSpace.Api.Tests.Telemetry;

/// <summary>
/// With an OTLP endpoint configured (the standard OTEL_* settings), the API exports traces: the trace of a request,
/// under the very trace id its problem answer names, reaches the collector, with its Npgsql spans. Off by default.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpListener _collector = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly DataSpaceApiFactory _api;
    private readonly string _endpoint;

    public OtlpExportTests()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _endpoint = $"http://127.0.0.1:{port}/";
        _collector.Prefixes.Add(_endpoint);
        _api = new DataSpaceApiFactory()
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _endpoint.TrimEnd('/'))
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "100")
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "200");
    }

    public async ValueTask InitializeAsync()
    {
        _collector.Start();
        _ = Task.Run(CollectAsync);
        await _api.InitializeAsync();
    }

    private async Task CollectAsync()
    {
        while (_collector.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _collector.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _collector.Stop();
        _collector.Close();
    }

    [Fact]
    public async Task A_request_s_trace_reaches_the_collector_under_the_trace_id_its_problem_names()
    {
        using var op = await _api.OperatorClient();
        var problem = await (await op.GetAsync($"/v1/datasets/{Guid.NewGuid()}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        // trace_id is W3C traceparent: 00-<32 hex trace id>-<16 hex span id>-<flags>.
        var traceId = Convert.FromHexString(problem.GetProperty("trace_id").GetString()!.Split('-')[1]);

        using var waited = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        waited.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector, not a timing assertion
        while (!_received.Any(r => r.Path == "/v1/traces" && r.Body.AsSpan().IndexOf(traceId) >= 0))
        {
            await Task.Delay(50, waited.Token);
        }

        var traces = _received.Where(r => r.Path == "/v1/traces").Select(r => r.Body).ToList();
        Assert.Contains(traces, b => b.AsSpan().IndexOf("Npgsql"u8) >= 0 || b.AsSpan().IndexOf("postgresql"u8) >= 0);
        while (!_received.Any(r => r.Path == "/v1/metrics"))
        {
            await Task.Delay(50, waited.Token);
        }
    }
}
