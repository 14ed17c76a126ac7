using DataSpace.Usage.Metering;

namespace DataSpace.Api.Tests.Features.Usage;

public sealed class UsagePartitionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task Partitions_for_this_month_and_the_next_two_exist_even_years_ahead()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = Npgsql.NpgsqlDataSource.Create(api.ConnectionString);
        var partitions = new UsagePartitions(db);

        await partitions.EnsureAsync(new DateTimeOffset(2031, 11, 30, 23, 0, 0, TimeSpan.Zero), ct);
        await partitions.EnsureAsync(new DateTimeOffset(2031, 11, 30, 23, 0, 0, TimeSpan.Zero), ct); // idempotent

        var names = await partitions.ListAsync(ct);
        Assert.Contains("usage_events_2031_11", names);
        Assert.Contains("usage_events_2031_12", names);
        Assert.Contains("usage_events_2032_01", names);
        var now = DateTime.UtcNow;
        Assert.Contains($"usage_events_{now:yyyy_MM}", names);
    }
}
