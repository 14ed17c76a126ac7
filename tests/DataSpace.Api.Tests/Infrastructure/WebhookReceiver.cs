using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// A real HTTP receiver on a loopback Kestrel port that keeps every request it gets (headers and raw body), answering with
/// whatever <see cref="Answer"/> says; signatures are checked afterwards by the Standard Webhooks library in Node
/// (<see cref="VerifyAllAsync"/>), not by our code.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Id => Headers["webhook-id"];

        public JsonElement Payload => JsonDocument.Parse(Body).RootElement;
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    /// <summary>Decides the answer to a request (the default: 200); may wait, to hold a delivery open.</summary>
    public Func<Received, CancellationToken, Task<int>> Answer { get; set; } = (_, _) => Task.FromResult(200);

    private WebhookReceiver(WebApplication app) => _app = app;

    public IReadOnlyList<Received> All => [.. _received];

    public Uri Url(string path) => new(new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), path);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            var received = new Received(http.Request.Path, http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal), body.ToArray());
            receiver._received.Enqueue(received);
            var status = await receiver.Answer(received, http.RequestAborted);
            return Results.Text($"answer {status}", statusCode: status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits (a hang detector) until the receiver holds at least <paramref name="count"/> requests matching <paramref name="match"/>.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<Received, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var found = All.Where(match).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"The receiver got {All.Count(match)} matching requests of {count} awaited within 120 s; it got {All.Count} in all.");
        return [];
    }

    /// <summary>Runs npm standardwebhooks over each (delivery, secret) pair; exit code 0 only when every one verifies.</summary>
    public static async Task<NodeTool.Result> VerifyAsync(IEnumerable<(Received Delivery, string Secret)> deliveries, CancellationToken ct)
    {
        var file = TestEnvironment.Scratch("webhooks-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(deliveries.Select(d => new Dictionary<string, object>
        {
            ["secret"] = d.Secret,
            ["headers"] = d.Delivery.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.Ordinal)).ToDictionary(),
            ["body_base64"] = Convert.ToBase64String(d.Delivery.Body),
        })), ct);
        var result = await NodeTool.RunAsync("standardwebhooks", ["tools/webhook-verify.mjs", file], ct);
        File.Delete(file);
        return result;
    }

    /// <summary>Verifies each (delivery, secret) pair with npm standardwebhooks, failing the test otherwise; returns the verified ids in order.</summary>
    public static async Task<IReadOnlyList<string>> VerifyAllAsync(IEnumerable<(Received Delivery, string Secret)> deliveries, CancellationToken ct)
    {
        var result = await VerifyAsync(deliveries, ct);
        Assert.True(result.ExitCode == 0, $"standardwebhooks refused a delivery: {result.Stdout} {result.Stderr}");
        return [.. JsonDocument.Parse(result.Stdout).RootElement.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
