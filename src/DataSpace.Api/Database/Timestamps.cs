namespace DataSpace.Api.Database;

internal static class Timestamps
{
    /// <summary>A timestamptz as Npgsql reads it (a DateTime in UTC) as an instant with its offset, for the wire.</summary>
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
