namespace DataSpace.Api.Features;

/// <summary>
/// Marks a type as part of its feature's deliberately public surface, which other features may name: the audit chain
/// and the webhook outbox every feature writes to, the one dataset and version lookup with visibility and ownership, the
/// consent and access gates. Every other type of a feature is that feature's own business; FeatureBoundaryTests fails when
/// a file of another feature names one.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Interface, Inherited = false)]
internal sealed class FeatureServiceAttribute : Attribute;
