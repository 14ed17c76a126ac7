namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// Real time plus an offset the test moves by hand (Microsoft.Extensions.TimeProvider.Testing does not restore here).
/// Time keeps flowing, so time-ordered ids stay ordered; Advance jumps ahead, e.g. past a token's expiry.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
