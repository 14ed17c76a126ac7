using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Database;

internal sealed class DatabaseOptions
{
    public const string Section = "ConnectionStrings";

    /// <summary>What the API runs as: the application role, with data rights only.</summary>
    [Required(ErrorMessage = "Set ConnectionStrings:DataSpace (environment variable ConnectionStrings__DataSpace) to a PostgreSQL connection string.")]
    public string? DataSpace { get; set; }

    /// <summary>
    /// The schema owner, which applies migrations and then grants the application role (the user of
    /// <see cref="DataSpace"/>) exactly its rights. Empty: migrations run as the application's own user, which then
    /// must own the schema (a single-role setup, for development only).
    /// </summary>
    public string? Migrations { get; set; }
}

/// <summary>
/// Bounds on waiting for PostgreSQL (section Database), applied to the connection string where it does not set them:
/// Npgsql's own defaults (15 s to connect, 30 s per command, then a cancellation attempt) held requests ~40 s against a
/// frozen server.
/// </summary>
internal sealed class DatabaseTimeoutOptions
{
    public const string Section = "Database";

    /// <summary>Seconds to open a physical connection (Database__ConnectTimeoutSeconds); the connection string's Timeout wins.</summary>
    [Range(1, 600, ErrorMessage = "Set Database:ConnectTimeoutSeconds between 1 and 600.")]
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Seconds one command may run (Database__CommandTimeoutSeconds); the connection string's Command Timeout wins.</summary>
    [Range(1, 3600, ErrorMessage = "Set Database:CommandTimeoutSeconds between 1 and 3600.")]
    public int CommandTimeoutSeconds { get; set; } = 15;

    /// <summary>Seconds to wait for a cancelled command's server acknowledgement (Database__CancellationTimeoutSeconds).</summary>
    [Range(1, 600, ErrorMessage = "Set Database:CancellationTimeoutSeconds between 1 and 600.")]
    public int CancellationTimeoutSeconds { get; set; } = 2;
}
