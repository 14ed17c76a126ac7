using Dapper;
using DataSpace.Api.Features.Downloads;
using Microsoft.Extensions.DependencyInjection;

namespace DataSpace.Api.Tests.Features.Downloads;

/// <summary>The usage ledger after PostgreSQL failed while a download ended, repaired by the host's own MeteringRepair.</summary>
public sealed class MeteringRepairTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _api = new();
    private readonly FreezableRelay _relay;

    public MeteringRepairTests() => _relay = FreezableRelay.For(_api.WithSetting("Metering:RepairSeconds", "3600"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _relay.Dispose();
    }

    private async Task<List<(string Status, long BytesSent)>> Events(string dataset)
    {
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        return [.. await conn.QueryAsync<(string, long)>("select status, bytes_sent from usage_events where dataset_id = @id", new { id = Guid.Parse(dataset) })];
    }

    [Fact]
    public async Task A_download_that_completes_while_the_database_is_down_is_recorded_complete_once_it_is_back()
    {
        using var owner = await _api.ClientFor(await _api.OrganizationAsync("计量修复数源单位", "source_unit"));
        var content = DatasetFlow.RandomBytes(4 * 1024 * 1024);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.bin"] = content });
        var repair = _api.Services.GetRequiredService<MeteringRepair>();

        // Headers arrive after the usage event was started; then the database goes away until the body is sent.
        using var response = await owner.GetAsync(DatasetFlow.FileUrl(id, 1, "a.bin"), HttpCompletionOption.ResponseHeadersRead, Ct);
        _relay.Freeze();
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync(Ct));
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector: generous on a loaded machine
        while (repair.Pending == 0)
        {
            await Task.Delay(50, hang.Token); // a hang detector: the final update fails after the 2 s command timeout
        }

        Assert.Equal([("in_progress", 0L)], await Events(id));

        _relay.Thaw();
        Assert.True(await repair.RunOnceAsync(Ct) >= 1);

        Assert.Equal([("completed", (long)content.Length)], await Events(id));
        Assert.Equal(0, repair.Pending);
    }

    [Fact]
    public async Task An_event_left_in_progress_by_a_dead_process_is_closed_as_aborted_once_stale()
    {
        var dataset = Guid.NewGuid();
        var at = _api.Clock.GetUtcNow();
        await using (var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString))
        {
            // What a process that died mid-transfer leaves behind: the start of the event, never its end.
            await conn.ExecuteAsync("""
                insert into usage_events (id, occurred_at, consumer_id, client_id, dataset_id, owner_id, version_number, path,
                                          bytes_requested, bytes_sent, status, request_id, representation)
                values (@id, @at, @org, 'client', @dataset, @org, 1, 'a.bin', 100, 0, 'in_progress', 'req', 'original')
                """, new { id = Guid.CreateVersion7(), at, org = Guid.NewGuid(), dataset });
        }

        var repair = _api.Services.GetRequiredService<MeteringRepair>();
        await repair.RunOnceAsync(Ct);
        Assert.Equal([("in_progress", 0L)], await Events(dataset.ToString()));

        _api.Clock.Advance(TimeSpan.FromHours(25));
        await repair.RunOnceAsync(Ct);
        Assert.Equal([("aborted", 0L)], await Events(dataset.ToString()));
    }
}
