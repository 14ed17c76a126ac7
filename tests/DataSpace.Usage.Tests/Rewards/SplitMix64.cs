namespace DataSpace.Usage.Tests.Rewards;

/// <summary>
/// A tiny seeded generator (Steele, Lea and Flood's SplitMix64) so that property tests replay exactly from their seed,
/// on every runtime, without System.Random's unspecified algorithm.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform enough in [min, max]: the modulo bias over a 64-bit draw is far below what a test can see.</summary>
    public long Between(long min, long max)
    {
        var span = (UInt128)(ulong)(max - min) + 1;
        return min + (long)(ulong)((UInt128)Next() % span);
    }

    public bool Chance(int percent) => Between(0, 99) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[(int)Between(0, items.Count - 1)];

    public Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, Next());
        BitConverter.TryWriteBytes(bytes[8..], Next());
        return new Guid(bytes);
    }

    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = (int)Between(0, i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
