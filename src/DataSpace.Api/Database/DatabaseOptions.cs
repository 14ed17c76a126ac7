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
