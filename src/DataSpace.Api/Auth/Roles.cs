namespace DataSpace.Api.Auth;

/// <summary>Roles an organisation holds (DESIGN.md, Identity and access).</summary>
internal static class Roles
{
    public const string Operator = "operator";
    public const string SourceUnit = "source_unit";
    public const string ModelBuilder = "model_builder";
    public const string DataBureau = "data_bureau";
    public const string Authority = "authority";

    /// <summary>A third-party service organisation (第三方服务机构) the operator registered to sign assessment reports.</summary>
    public const string Assessor = "assessor";

    public static readonly IReadOnlyList<string> All = [Operator, SourceUnit, ModelBuilder, DataBureau, Authority, Assessor];

    /// <summary>The organisations that read a unit's data under its consent (Art. 11).</summary>
    public static readonly IReadOnlyList<string> ConsentGrantees = [DataBureau, Authority];
}
