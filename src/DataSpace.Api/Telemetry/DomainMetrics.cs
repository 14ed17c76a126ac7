using System.Diagnostics.Metrics;

namespace DataSpace.Api.Telemetry;

/// <summary>
/// What the platform does, counted for operators (meter <c>DataSpace</c>): downloads and the bytes they served, orders
/// placed and paid, consent-gate denials by their problem code. Tags are closed sets (kinds, codes), never ids: a
/// metric's cardinality must not grow with the catalog. Exported over OTLP only when telemetry is configured
/// (<see cref="TelemetrySetup"/>); otherwise the instruments exist and nobody listens, which costs next to nothing.
/// </summary>
internal sealed class DomainMetrics
{
    public const string MeterName = "DataSpace";

    private readonly Counter<long> _downloads;
    private readonly Counter<long> _bytesServed;
    private readonly Counter<long> _orders;
    private readonly Counter<long> _consentDenials;

    public DomainMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _downloads = meter.CreateCounter<long>("dataspace.downloads", "{download}", "Downloads answered with the file's bytes, by kind (original, parquet) and whether a range was asked");
        _bytesServed = meter.CreateCounter<long>("dataspace.downloads.bytes", "By", "Bytes of dataset files sent to readers");
        _orders = meter.CreateCounter<long>("dataspace.orders", "{order}", "Orders placed and paid, by event");
        _consentDenials = meter.CreateCounter<long>("dataspace.consent.denials", "{denial}", "Reads the consent gate refused, by problem code");
    }

    /// <summary>A download started sending; <paramref name="kind"/> is original or parquet.</summary>
    public void DownloadStarted(string kind, bool range) =>
        _downloads.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("range", range));

    /// <summary>Bytes a download actually sent (counted when it ends, cut or complete).</summary>
    public void BytesServed(string kind, long bytes)
    {
        if (bytes > 0)
        {
            _bytesServed.Add(bytes, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void OrderPlaced() => _orders.Add(1, new KeyValuePair<string, object?>("event", "placed"));

    public void OrderPaid() => _orders.Add(1, new KeyValuePair<string, object?>("event", "paid"));

    public void ConsentDenied(string code) => _consentDenials.Add(1, new KeyValuePair<string, object?>("code", code));
}
