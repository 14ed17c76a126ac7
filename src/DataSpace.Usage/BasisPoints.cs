namespace DataSpace.Usage;

/// <summary>
/// Shares of money in basis points (1/10,000), the unit of every rate the bureau sets. Computed in <see cref="Int128"/>
/// so no amount overflows, and rounded down, because public money is never overpaid.
/// </summary>
public static class BasisPoints
{
    /// <summary>10,000 basis points: the whole.</summary>
    public const int Whole = 10_000;

    /// <summary><paramref name="amountFen"/> × <paramref name="basisPoints"/> / 10,000, rounded down.</summary>
    public static long Of(long amountFen, int basisPoints)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountFen);
        ArgumentOutOfRangeException.ThrowIfNegative(basisPoints);
        // amount × rate ≤ long.MaxValue × int.MaxValue fits Int128; for rates up to the whole the quotient fits long.
        return (long)((Int128)amountFen * basisPoints / Whole);
    }
}
