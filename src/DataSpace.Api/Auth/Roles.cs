namespace DataSpace.Api.Auth;

/// <summary>Roles an organisation holds (DESIGN.md, Identity and access).</summary>
internal static class Roles
{
    public const string Operator = "operator";
    public const string SourceUnit = "source_unit";
    public const string ModelBuilder = "model_builder";
    public const string DataBureau = "data_bureau";
    public const string Authority = "authority";

    public static readonly IReadOnlyList<string> All = [Operator, SourceUnit, ModelBuilder, DataBureau, Authority];

    /// <summary>The organisations that read a unit's data under its consent (Art. 11).</summary>
    public static readonly IReadOnlyList<string> ConsentGrantees = [DataBureau, Authority];
}
