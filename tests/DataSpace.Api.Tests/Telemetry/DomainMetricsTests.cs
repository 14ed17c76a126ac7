using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace DataSpace.Api.Tests.Telemetry;

/// <summary>
/// The domain metrics count what happened: a download's bytes, orders placed and paid, consent denials by code. The
/// listener hears only this class's API host (its own meter factory), so the counts are exact.
/// </summary>
public sealed class DomainMetricsTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sums of each instrument by its tags, e.g. "dataspace.downloads.bytes kind=original".</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

        public Recorded(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "DataSpace" && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var key = instrument.Name + string.Concat(tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $" {t.Key}={t.Value}"));
                _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
            });
            _listener.Start();
        }

        public long this[string key] => _sums.GetValueOrDefault(key);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task A_paid_download_counts_its_order_its_download_and_every_byte_sent()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("指标数源单位", "source_unit"));
        var buyerOrg = await api.OrganizationAsync("指标买家", "model_builder");
        using var buyer = await api.ClientFor(buyerOrg);
        using var op = await api.OperatorClient();
        var content = new byte[300_001];
        new Random(16).NextBytes(content);
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["指标.bin"] = content }, "paid");
        var (terms, plan) = await OrderFlow.OfferAsync(unit, dataset, 5_000, terms: "仅限训练。");
        using var recorded = new Recorded(api.Services.GetRequiredService<IMeterFactory>());

        await OrderFlow.AcceptAsync(buyer, dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 5_000, reference = "METRIC-" + order }, Ct)).AssertJson();
        var body = await (await buyer.GetAsync(DatasetFlow.FileUrl(dataset, 1, "指标.bin"), Ct)).Content.ReadAsByteArrayAsync(Ct);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(dataset, 1, "指标.bin"));
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        Assert.Equal(HttpStatusCode.PartialContent, (await buyer.SendAsync(ranged, Ct)).StatusCode);

        Assert.Equal(content, body);
        Assert.Equal(1, recorded["dataspace.orders event=placed"]);
        Assert.Equal(1, recorded["dataspace.orders event=paid"]);
        Assert.Equal(1, recorded["dataspace.downloads kind=original range=False"]);
        Assert.Equal(1, recorded["dataspace.downloads kind=original range=True"]);
        Assert.Equal(content.Length + 100, recorded["dataspace.downloads.bytes kind=original"]);
    }

    [Fact]
    public async Task Consent_denials_are_counted_by_their_code()
    {
        var unitOrg = await api.OrganizationAsync("指标未授权数源单位", "source_unit");
        using var authority = await api.ClientFor(await api.OrganizationAsync("指标主管部门", "authority"));
        using var recorded = new Recorded(api.Services.GetRequiredService<IMeterFactory>());

        await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/datasets", Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_required");
        await (await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/datasets", Ct)).AssertProblem(HttpStatusCode.Forbidden, "consent_required");

        Assert.Equal(2, recorded["dataspace.consent.denials code=consent_required"]);
    }
}
