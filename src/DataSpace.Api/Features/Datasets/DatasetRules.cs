using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Datasets;

/// <summary>The vocabulary and shape rules of a dataset's description; every message names its field by JSON path.</summary>
[FeatureService]
internal static class DatasetRules
{
    /// <summary>A validated, trimmed description, ready to store.</summary>
    public sealed record Normalized(
        string Title, string Description, string Industry, string[] Tags, string Access, string Licence, string UpdateFrequency,
        string SecurityLevel, string PersonalInformation, string? PersonalInformationConsentRef, Provenance Provenance, Guid[] Lineage)
    {
        /// <summary>Lower-cased text the catalog's substring search runs over.</summary>
        public string SearchText => string.Join('\n', [Title, Description, .. Tags]).ToLowerInvariant();
    }

    /// <summary>
    /// Validates the fields; returns null (with errors in <paramref name="v"/>) when invalid. Core data is refused
    /// separately by the caller, with its own code, because it is a policy refusal rather than a typo.
    /// </summary>
    public static Normalized? Validate(DatasetFields f, Validation v)
    {
        var title = v.RequiredText("title", f.Title, 200);
        var description = OptionalText(v, "description", f.Description, 10_000);
        var industry = v.RequiredText("industry", f.Industry, 100);
        var tags = (f.Tags ?? []).Select(t => t?.Trim() ?? "").ToArray();
        if (tags.Length > 20)
        {
            v.Add("tags", "must have at most 20 tags");
        }

        if (tags.Any(t => t.Length is 0 or > 50 || t.Any(char.IsControl)))
        {
            v.Add("tags", "each tag must be 1–50 characters without control characters");
        }

        if (tags.Distinct(StringComparer.Ordinal).Count() != tags.Length)
        {
            v.Add("tags", "must not repeat a tag");
        }

        var access = OneOf(v, "access", f.Access, AccessModes.All);
        var licence = v.RequiredText("licence", f.Licence, 20_000, multiline: true);
        var frequency = OneOf(v, "update_frequency", f.UpdateFrequency, UpdateFrequencies.All);
        var security = f.SecurityLevel == "core" ? "core" : OneOf(v, "security_level", f.SecurityLevel, SecurityLevels.All);
        var personal = OneOf(v, "personal_information", f.PersonalInformation, PersonalInformationKinds.All);
        var consentRef = string.IsNullOrWhiteSpace(f.PersonalInformationConsentRef) ? null : f.PersonalInformationConsentRef.Trim();
        if (personal is not (PersonalInformationKinds.None or "") && consentRef is null)
        {
            v.Add("personal_information_consent_ref", "is required when personal_information is not none: reference the anonymisation assessment or the separate-consent record");
        }

        if (consentRef is { Length: > 200 })
        {
            v.Add("personal_information_consent_ref", "must be at most 200 characters");
        }

        var (provenance, lineage) = ValidateProvenance(f.Provenance, v);
        return v.IsValid
            ? new Normalized(title, description, industry, tags, access, licence, frequency, security, personal,
                personal == PersonalInformationKinds.None ? null : consentRef, provenance!, lineage)
            : null;
    }

    private static (Provenance? Provenance, Guid[] Lineage) ValidateProvenance(Provenance? p, Validation v)
    {
        if (p is null)
        {
            v.Add("provenance", "is required: source type, source systems, collection period and method, legal basis, rights and lineage");
            return (null, []);
        }

        var sourceType = OneOf(v, "provenance.source_type", p.SourceType, SourceTypes.All);
        var systems = (p.SourceSystems ?? []).Select(s => s?.Trim() ?? "").ToArray();
        if (systems.Length == 0 || systems.Length > 50 || systems.Any(s => s.Length is 0 or > 200))
        {
            v.Add("provenance.source_systems", "must name 1–50 source systems of 1–200 characters each");
        }

        if (p.CollectionPeriod is not { Start: { } start, End: { } end })
        {
            v.Add("provenance.collection_period", "needs start and end dates (YYYY-MM-DD)");
        }
        else if (end < start)
        {
            v.Add("provenance.collection_period.end", "must not be before start");
        }

        var method = v.RequiredText("provenance.collection_method", p.CollectionMethod, 2000, multiline: true);
        var basis = v.RequiredText("provenance.legal_basis", p.LegalBasis, 2000, multiline: true);
        var rights = p.Rights ?? new DataRights();
        var holding = Right(v, "provenance.rights.resource_holding", rights.ResourceHolding);
        var processing = Right(v, "provenance.rights.processing_use", rights.ProcessingUse);
        var operation = Right(v, "provenance.rights.product_operation", rights.ProductOperation);

        var lineageIds = new List<Guid>();
        foreach (var id in p.Lineage ?? [])
        {
            if (Guid.TryParse(id, out var g))
            {
                lineageIds.Add(g);
            }
            else
            {
                v.Add("provenance.lineage", $"'{id}' is not a dataset id");
            }
        }

        if (lineageIds.Distinct().Count() != lineageIds.Count)
        {
            v.Add("provenance.lineage", "must not repeat a dataset");
        }

        if (lineageIds.Count > 100)
        {
            v.Add("provenance.lineage", "must name at most 100 parent datasets");
        }

        if (sourceType == "derived" && lineageIds.Count == 0)
        {
            v.Add("provenance.lineage", "must name the parent datasets of derived data");
        }

        var normalized = new Provenance
        {
            SourceType = sourceType,
            SourceSystems = systems,
            CollectionPeriod = p.CollectionPeriod,
            CollectionMethod = method,
            LegalBasis = basis,
            Rights = new DataRights { ResourceHolding = holding, ProcessingUse = processing, ProductOperation = operation },
            Lineage = [.. lineageIds.Select(g => g.ToString())],
        };
        return (normalized, [.. lineageIds]);
    }

    private static RightHolder Right(Validation v, string field, RightHolder? right) =>
        new(v.RequiredText(field + ".holder", right?.Holder, 200), v.RequiredText(field + ".basis", right?.Basis, 2000));

    private static string OneOf(Validation v, string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is not null && allowed.Contains(value, StringComparer.Ordinal))
        {
            return value;
        }

        v.Add(field, value is null ? $"is required: one of {string.Join(", ", allowed)}" : $"'{value}' is not one of {string.Join(", ", allowed)}");
        return "";
    }

    private static string OptionalText(Validation v, string field, string? value, int maxLength)
    {
        var text = value?.Trim() ?? "";
        if (text.Length > maxLength)
        {
            v.Add(field, $"must be at most {maxLength} characters");
        }

        return text;
    }
}
