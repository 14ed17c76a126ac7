using Azure.Core.Pipeline;

namespace DataSpace.Api.Tests.Storage;

/// <summary>
/// Sits between the Azure SDK and Azurite and sees every request on its way: it may answer a request itself (a 503, a
/// refusal) or let it through to the real Azurite and alter the response (a body broken part way). Records what it saw.
/// </summary>
internal sealed class FaultHandler : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage?>> _before;
    private readonly HttpClient _client;

    public FaultHandler(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage?>> before,
        Func<HttpRequestMessage, HttpResponseMessage, HttpResponseMessage>? after = null)
        : base(new SocketsHttpHandler())
    {
        _before = before;
        After = after;
        _client = new HttpClient(this) { Timeout = Timeout.InfiniteTimeSpan };
        Transport = new HttpClientTransport(_client);
    }

    public Func<HttpRequestMessage, HttpResponseMessage, HttpResponseMessage>? After { get; }

    /// <summary>The SDK transport to give the store.</summary>
    public HttpClientTransport Transport { get; }

    public List<(string Method, string Query, string? Range, string? IfMatch)> Requests { get; } = [];

    public static bool IsPutBlock(HttpRequestMessage request) =>
        request.Method == HttpMethod.Put && request.RequestUri!.Query.Contains("comp=block&", StringComparison.Ordinal);

    public static bool IsGetBlob(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get && request.RequestUri!.Query.Length == 0;

    /// <summary>The same body again with the original content headers, once a handler has read it.</summary>
    public static ByteArrayContent Resend(HttpContent original, byte[] body)
    {
        var content = new ByteArrayContent(body);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return content;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add((request.Method.Method, request.RequestUri!.Query, Header(request, "x-ms-range") ?? request.Headers.Range?.ToString(),
                request.Headers.IfMatch.FirstOrDefault()?.ToString() ?? Header(request, "If-Match")));
        }

        if (await _before(request, cancellationToken) is { } answer)
        {
            answer.RequestMessage = request;
            return answer;
        }

        var response = await base.SendAsync(request, cancellationToken);
        return After is null ? response : After(request, response);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>A response body that breaks with an IOException after a number of bytes, as a dropped connection does.</summary>
internal sealed class BreakingStream(Stream inner, long breakAfter) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_read >= breakAfter)
        {
            throw new IOException("The connection was reset (simulated).");
        }

        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, breakAfter - _read)], cancellationToken);
        _read += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
