using DataSpace.Api.Database;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Consents;

namespace DataSpace.Api.Features.Consents;

/// <summary>
/// The columns a consent and a request for one share, as read from the database. Init properties: Npgsql reports arrays
/// as System.Array, which Dapper cannot match to a constructor.
/// </summary>
internal abstract record ConsentTermsRow
{
    public required Guid Id { get; init; }
    public required string[] Categories { get; init; }
    public required bool AllDatasets { get; init; }
    public required Guid[] DatasetIds { get; init; }
    public required string PurposeCode { get; init; }
    public required string PurposeText { get; init; }
    public required string LegalBasis { get; init; }
    public required DateTime ValidFrom { get; init; }
    public required DateTime ValidUntil { get; init; }
    public required DateTime CreatedAt { get; init; }

    public ConsentTerms Terms() => new(Categories, AllDatasets, DatasetIds, PurposeCode, PurposeText, LegalBasis, Timestamps.Utc(ValidFrom), Timestamps.Utc(ValidUntil));
}

/// <summary>What a consent (or a request for one) covers, validated.</summary>
[FeatureService]
internal sealed record ConsentTerms(
    string[] Categories, bool AllDatasets, Guid[] DatasetIds, string PurposeCode, string PurposeText, string LegalBasis,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil)
{
    /// <summary>Validates the shape of consent terms; null when invalid (errors in <paramref name="v"/>).</summary>
    public static ConsentTerms? Read(
        IReadOnlyList<string>? categories, bool? allDatasets, IReadOnlyList<string>? datasetIds, ConsentPurpose? purpose, string? legalBasis,
        DateTimeOffset? validFrom, DateTimeOffset? validUntil, DateTimeOffset now, Validation v)
    {
        var cats = ReadCategories(categories, v);
        var ids = ReadDatasets(allDatasets, datasetIds, v);
        var code = v.RequiredText("purpose.code", purpose?.Code, 50);
        var text = v.RequiredText("purpose.text", purpose?.Text, 2000, multiline: true);
        var basis = v.RequiredText("legal_basis", legalBasis, 2000, multiline: true);
        var (from, until) = ReadWindow(validFrom, validUntil, now, v);
        return v.IsValid ? new ConsentTerms(cats, allDatasets!.Value, ids, code, text, basis, from, until) : null;
    }

    public static string[] ReadCategories(IReadOnlyList<string>? categories, Validation v)
    {
        if (categories is null || categories.Count == 0)
        {
            v.Add("categories", $"must name at least one of {string.Join(", ", ConsentCategories.All)}");
            return [];
        }

        foreach (var c in categories.Where(c => !ConsentCategories.All.Contains(c)))
        {
            v.Add("categories", $"'{c}' is not a category; use {string.Join(", ", ConsentCategories.All)}");
        }

        if (categories.Distinct(StringComparer.Ordinal).Count() != categories.Count)
        {
            v.Add("categories", "must not repeat a category");
        }

        return [.. categories];
    }

    public static Guid[] ReadDatasets(bool? allDatasets, IReadOnlyList<string>? datasetIds, Validation v)
    {
        if (allDatasets is null)
        {
            v.Add("all_datasets", "is required: true for every dataset of the unit (present and future), false for the dataset_ids named");
            return [];
        }

        var ids = new List<Guid>();
        foreach (var id in datasetIds ?? [])
        {
            if (Guid.TryParse(id, out var g))
            {
                ids.Add(g);
            }
            else
            {
                v.Add("dataset_ids", $"'{id}' is not a dataset id");
            }
        }

        if (allDatasets.Value && ids.Count > 0)
        {
            v.Add("dataset_ids", "must be empty when all_datasets is true");
        }
        else if (!allDatasets.Value && ids.Count == 0 && (datasetIds?.Count ?? 0) == 0)
        {
            v.Add("dataset_ids", "must name at least one dataset when all_datasets is false");
        }

        if (ids.Distinct().Count() != ids.Count)
        {
            v.Add("dataset_ids", "must not repeat a dataset");
        }

        return [.. ids];
    }

    public static (DateTimeOffset From, DateTimeOffset Until) ReadWindow(DateTimeOffset? validFrom, DateTimeOffset? validUntil, DateTimeOffset now, Validation v)
    {
        if (validFrom is null)
        {
            v.Add("valid_from", "is required (RFC 3339 with offset)");
        }

        if (validUntil is null)
        {
            v.Add("valid_until", "is required (RFC 3339 with offset)");
        }

        if (Http.Dates.Check(validFrom, "valid_from", v) & Http.Dates.Check(validUntil, "valid_until", v) && validFrom is { } f && validUntil is { } u)
        {
            if (u <= f)
            {
                v.Add("valid_until", "must be after valid_from");
            }
            else if (u <= now)
            {
                v.Add("valid_until", "must be in the future");
            }
        }

        return ((validFrom ?? now).ToUniversalTime(), (validUntil ?? now).ToUniversalTime());
    }

    /// <summary>Whether these terms are within <paramref name="outer"/>: never wider in categories, datasets or time.</summary>
    public string? WidensBeyond(ConsentTerms outer)
    {
        if (Categories.Except(outer.Categories).Any())
        {
            return "categories";
        }

        if (AllDatasets && !outer.AllDatasets)
        {
            return "all_datasets";
        }

        if (!outer.AllDatasets && DatasetIds.Except(outer.DatasetIds).Any())
        {
            return "dataset_ids";
        }

        if (ValidFrom < outer.ValidFrom)
        {
            return "valid_from";
        }

        return ValidUntil > outer.ValidUntil ? "valid_until" : null;
    }
}
