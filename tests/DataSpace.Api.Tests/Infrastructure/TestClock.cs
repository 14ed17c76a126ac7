namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// Real time plus an offset the test moves by hand. Time keeps flowing, so time-ordered ids stay ordered; Advance jumps
/// ahead, e.g. past a token's expiry, and back again; Freeze holds one exact instant, for edges such as a consent's
/// valid_from, and Thaw returns to real time. Not FakeTimeProvider (Microsoft.Extensions.TimeProvider.Testing 10.11.0
/// restores now): its time stands still and it refuses to move back (Advance and SetUtcNow throw), while one API fixture
/// serves all tests of a class, so a test that jumps past an expiry must step back for the tokens the others hold.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;
    private long _frozenTicks = -1;

    public override DateTimeOffset GetUtcNow()
    {
        var frozen = Interlocked.Read(ref _frozenTicks);
        return frozen >= 0 ? new DateTimeOffset(frozen, TimeSpan.Zero) : DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));
    }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Stops the clock at <paramref name="at"/> until <see cref="Thaw"/>.</summary>
    public void Freeze(DateTimeOffset at) => Interlocked.Exchange(ref _frozenTicks, at.UtcTicks);

    public void Thaw() => Interlocked.Exchange(ref _frozenTicks, -1);
}
