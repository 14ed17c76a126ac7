using DataSpace.Usage.Metering;

namespace DataSpace.Api.Features.Usage;

/// <summary>Runs <see cref="UsagePartitions.EnsureAsync"/> at start-up and then once a day.</summary>
internal sealed partial class UsagePartitionMaintenance(UsagePartitions partitions, TimeProvider clock, ILogger<UsagePartitionMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), clock);
        do
        {
            try
            {
                await partitions.EnsureAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the coming usage-ledger partitions; events go to the default partition until it works")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
