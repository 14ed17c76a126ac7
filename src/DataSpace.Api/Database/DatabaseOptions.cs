using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Database;

internal sealed class DatabaseOptions
{
    public const string Section = "ConnectionStrings";

    [Required(ErrorMessage = "Set ConnectionStrings:DataSpace (environment variable ConnectionStrings__DataSpace) to a PostgreSQL connection string.")]
    public string? DataSpace { get; set; }
}
