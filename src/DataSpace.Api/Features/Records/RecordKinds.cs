using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Records;
using DataSpace.Usage;

namespace DataSpace.Api.Features.Records;

/// <summary>
/// One kind of record: its name in the database and the audit trail, its path, the consent category an authority needs
/// to read it beyond what was submitted, and how its fields are validated, shown and checked before submission.
/// </summary>
[FeatureService]
internal abstract class RecordKind(string name, string path, string tag, string? consentCategory)
{
    public static readonly DataAssetKind DataAsset = new();
    public static readonly DcmmKind Dcmm = new();
    public static readonly PilotKind Pilot = new();
    public static readonly IReadOnlyList<RecordKind> All = [DataAsset, Dcmm, Pilot];

    public string Name { get; } = name;
    public string Path { get; } = path;
    public string Tag { get; } = tag;
    public string? ConsentCategory { get; } = consentCategory;

    /// <summary>The request record a unit fills in, and the response record, for the API description.</summary>
    public abstract Type FieldsType { get; }

    public abstract Type ContractType { get; }

    /// <summary>Members of the stored fields a unit cannot set through create or merge patch (files, valuations).</summary>
    public abstract IReadOnlyList<string> ManagedMembers { get; }

    /// <summary>Validates entered fields (a JSON object shaped like the kind's *Fields request); returns the stored fields merged onto <paramref name="stored"/>.</summary>
    public abstract Task<JsonObject?> ValidateAsync(JsonObject entered, JsonObject? stored, Guid ownerId, RecordStore store, Validation v, CancellationToken ct);

    /// <summary>What is missing before the revision can be submitted, or null.</summary>
    public abstract string? MissingForSubmission(JsonObject stored);

    public abstract RecordState ToContract(RecordStore.RecordRow row, DateOnly today);

    /// <summary>The entered (non-managed) part of stored fields, for merge patch.</summary>
    public JsonObject Entered(JsonObject stored)
    {
        var copy = (JsonObject)stored.DeepClone();
        foreach (var member in ManagedMembers)
        {
            copy.Remove(member);
        }

        return copy;
    }

    protected static T Read<T>(JsonObject node) => node.Deserialize<T>(Json.Options)!;

    /// <summary>What a client entered: unknown members are refused (unknown_member), as on every request body.</summary>
    protected static T ReadEntered<T>(JsonObject node) => node.Deserialize<T>(Json.RequestOptions)!;

    protected static JsonObject Merge<T>(T entered, JsonObject? stored, IEnumerable<string> managed)
    {
        var result = JsonSerializer.SerializeToNode(entered, Json.Options)!.AsObject();
        foreach (var member in managed)
        {
            if (stored?[member] is { } value)
            {
                result[member] = value.DeepClone();
            }
        }

        return result;
    }

    protected static T State<T>(RecordStore.RecordRow row, Func<T> create) where T : RecordState => create() with
    {
        Id = row.Id.ToString(),
        Revision = row.Revision,
        OwnerId = row.OwnerId.ToString(),
        Status = row.Status,
        ReturnReason = row.ReturnReason,
        CreatedAt = Timestamps.Utc(row.CreatedAt),
        UpdatedAt = Timestamps.Utc(row.UpdatedAt),
        SubmittedAt = row.SubmittedAt is { } s ? Timestamps.Utc(s) : null,
        DecidedAt = row.DecidedAt is { } d ? Timestamps.Utc(d) : null,
        ContentSha256 = row.ContentSha256,
    };

    protected static string? Choice(Validation v, string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null)
        {
            v.Add(field, $"is required: one of {string.Join(", ", allowed)}");
        }
        else if (!allowed.Contains(value))
        {
            v.Add(field, $"'{value}' is not allowed; use one of {string.Join(", ", allowed)}");
        }

        return value;
    }

    protected static void Money(Validation v, string field, long? value, bool positive = false)
    {
        if (value is null)
        {
            v.Add(field, "is required (integer fen)");
        }
        else if (value < 0 || (positive && value == 0))
        {
            v.Add(field, positive ? "must be a positive amount in fen" : "must not be negative");
        }
    }

    protected static DateOnly RequiredDate(Validation v, string field, DateOnly? value)
    {
        if (value is null)
        {
            v.Add(field, "is required (YYYY-MM-DD)");
        }
        else if (value.Value.Year is < 1949 or > 2200)
        {
            v.Add(field, "must be a plausible date (1949–2200)");
        }

        return value ?? default;
    }

}

[FeatureService]
internal sealed class DataAssetKind() : RecordKind(CertificateKinds.DataAsset, "data-assets", "Data assets", ConsentCategories.AssetRecords)
{
    /// <summary>An exchange registration (data assets, and listed datasets); null with the problems in <paramref name="v"/>.</summary>
    public static ExchangeRegistration? ValidateRegistration(AddRegistrationRequest request, TimeProvider clock, Validation v)
    {
        var exchange = v.RequiredText("exchange", request.Exchange, 200);
        var number = v.RequiredText("certificate_number", request.CertificateNumber, 100);
        if (request.Type is null || !RegistrationTypes.All.Contains(request.Type))
        {
            v.Add("type", "is required: initial (首次), change (变更) or cancellation (注销)");
        }

        if (request.RegisteredOn is null)
        {
            v.Add("registered_on", "is required (YYYY-MM-DD)");
        }

        Http.Dates.Check(request.RegisteredOn, "registered_on", v);
        return v.IsValid ? new ExchangeRegistration(Guid.CreateVersion7(clock.GetUtcNow()).ToString(), exchange, number, request.Type!, request.RegisteredOn!.Value) : null;
    }

    public override Type FieldsType => typeof(DataAssetFields);

    public override Type ContractType => typeof(DataAsset);

    public override IReadOnlyList<string> ManagedMembers { get; } = ["valuations", "registrations"];

    public override async Task<JsonObject?> ValidateAsync(JsonObject entered, JsonObject? stored, Guid ownerId, RecordStore store, Validation v, CancellationToken ct)
    {
        var f = ReadEntered<DataAssetFields>(entered);
        var name = v.RequiredText("name", f.Name, 200);
        var ids = new List<Guid>();
        foreach (var id in f.DatasetIds ?? [])
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

        if (ids.Distinct().Count() != ids.Count)
        {
            v.Add("dataset_ids", "must not repeat a dataset");
        }

        if (ids.Count > 1000)
        {
            v.Add("dataset_ids", "must name at most 1000 datasets");
        }

        var category = Choice(v, "accounting_category", f.AccountingCategory, AccountingCategories.All);
        Choice(v, "acquisition", f.Acquisition, Acquisitions.All);
        Money(v, "cost_fen", f.CostFen);
        RequiredDate(v, "recognition_date", f.RecognitionDate);
        if (category == AccountingCategories.IntangibleAsset)
        {
            if (f.UsefulLifeMonths is null)
            {
                v.Add("useful_life_months", "is required for an intangible asset (财会〔2023〕11号: amortised over its useful life)");
            }
            else if (f.UsefulLifeMonths is < 1 or > 1200)
            {
                v.Add("useful_life_months", "must be between 1 and 1200 months");
            }
        }
        else if (f.UsefulLifeMonths is not null)
        {
            v.Add("useful_life_months", "applies to intangible assets only");
        }

        var notes = f.Notes?.Trim() ?? "";
        if (notes.Length > 5000)
        {
            v.Add("notes", "must be at most 5000 characters");
        }

        if (v.IsValid && ids.Count > 0)
        {
            var owned = await store.OwnedDatasetsAsync(ownerId, [.. ids], ct);
            foreach (var id in ids.Where(id => !owned.Contains(id)))
            {
                v.Add("dataset_ids", $"{id} is not one of your datasets");
            }
        }

        if (!v.IsValid)
        {
            return null;
        }

        var normalized = f with { Name = name, Notes = notes, DatasetIds = [.. ids.Select(i => i.ToString())] };
        var result = Merge(normalized, stored, ManagedMembers);
        result["valuations"] ??= new JsonArray();
        result["registrations"] ??= new JsonArray();
        return result;
    }

    public override string? MissingForSubmission(JsonObject stored)
    {
        var missing = Valuations(stored).Where(x => x.Report is null).Select(x => x.Id).ToList();
        return missing.Count == 0 ? null
            : $"Valuation(s) {string.Join(", ", missing)} have no report file: PUT /v1/data-assets/{{id}}/valuations/{{valuation}}/report first.";
    }

    public static List<Valuation> Valuations(JsonObject stored) => stored["valuations"]?.Deserialize<List<Valuation>>(Json.Options) ?? [];

    public static List<ExchangeRegistration> Registrations(JsonObject stored) => stored["registrations"]?.Deserialize<List<ExchangeRegistration>>(Json.Options) ?? [];

    public override RecordState ToContract(RecordStore.RecordRow row, DateOnly today)
    {
        var stored = JsonNode.Parse(row.Fields)!.AsObject();
        var f = Read<DataAssetFields>(stored);
        return State(row, () => new DataAsset
        {
            Id = "", Revision = 0, OwnerId = "", Status = "", CreatedAt = default, UpdatedAt = default,
            Name = f.Name!, DatasetIds = f.DatasetIds ?? [], AccountingCategory = f.AccountingCategory!, Acquisition = f.Acquisition!,
            CostFen = f.CostFen!.Value, RecognitionDate = f.RecognitionDate!.Value, UsefulLifeMonths = f.UsefulLifeMonths, Notes = f.Notes ?? "",
            Valuations = Valuations(stored), Registrations = Registrations(stored),
        });
    }
}

internal sealed class DcmmKind() : RecordKind(CertificateKinds.DcmmCertificate, "dcmm-certificates", "DCMM certificates", ConsentCategories.DcmmRecords)
{
    public override Type FieldsType => typeof(DcmmCertificateFields);

    public override Type ContractType => typeof(DcmmCertificate);

    public override IReadOnlyList<string> ManagedMembers { get; } = ["evidence"];

    public override Task<JsonObject?> ValidateAsync(JsonObject entered, JsonObject? stored, Guid ownerId, RecordStore store, Validation v, CancellationToken ct)
    {
        var f = ReadEntered<DcmmCertificateFields>(entered);
        Choice(v, "standard", f.Standard, DcmmStandards.All);
        if (f.Level is null)
        {
            v.Add("level", "is required: 1 (初始级) to 5 (优化级)");
        }
        else if (f.Level is < 1 or > 5)
        {
            v.Add("level", "must be 1 (初始级) to 5 (优化级)");
        }

        var number = v.RequiredText("certificate_number", f.CertificateNumber, 100);
        var body = v.RequiredText("certifying_body", f.CertifyingBody, 200);
        var issued = RequiredDate(v, "issued_on", f.IssuedOn);
        Http.Dates.Check(f.ValidUntil, "valid_until", v);
        // Three years from an issue date within the calendar the API accepts (an out-of-range one is already refused).
        var until = f.ValidUntil ?? (f.IssuedOn is { } i && Http.Dates.InRange(i) ? i.AddYears(3) : default);
        if (f.IssuedOn is not null && until != default && until <= issued)
        {
            v.Add("valid_until", "must be after issued_on");
        }

        return Task.FromResult(v.IsValid
            ? Merge(f with { CertificateNumber = number, CertifyingBody = body, ValidUntil = until }, stored, ManagedMembers)
            : null);
    }

    public override string? MissingForSubmission(JsonObject stored) =>
        stored["evidence"] is null ? "The certificate has no evidence file: PUT /v1/dcmm-certificates/{id}/evidence first." : null;

    public override RecordState ToContract(RecordStore.RecordRow row, DateOnly today)
    {
        var stored = JsonNode.Parse(row.Fields)!.AsObject();
        var f = Read<DcmmCertificateFields>(stored);
        return State(row, () => new DcmmCertificate
        {
            Id = "", Revision = 0, OwnerId = "", Status = "", CreatedAt = default, UpdatedAt = default,
            Standard = f.Standard!, Level = f.Level!.Value, CertificateNumber = f.CertificateNumber!, CertifyingBody = f.CertifyingBody!,
            IssuedOn = f.IssuedOn!.Value, ValidUntil = f.ValidUntil!.Value, Expired = f.ValidUntil!.Value < today,
            Evidence = stored["evidence"]?.Deserialize<RecordFile>(Json.Options),
        });
    }
}

internal sealed class PilotKind() : RecordKind(CertificateKinds.DataSpacePilot, "data-space-pilots", "Data-space pilots", null)
{
    public override Type FieldsType => typeof(DataSpacePilotFields);

    public override Type ContractType => typeof(DataSpacePilot);

    public override IReadOnlyList<string> ManagedMembers { get; } = ["evidence"];

    public override Task<JsonObject?> ValidateAsync(JsonObject entered, JsonObject? stored, Guid ownerId, RecordStore store, Validation v, CancellationToken ct)
    {
        var f = ReadEntered<DataSpacePilotFields>(entered);
        Choice(v, "level", f.Level, PilotLevels.All);
        var name = v.RequiredText("project_name", f.ProjectName, 200);
        var approval = v.RequiredText("approval_number", f.ApprovalNumber, 100);
        Money(v, "construction_cost_fen", f.ConstructionCostFen, positive: true);
        return Task.FromResult(v.IsValid ? Merge(f with { ProjectName = name, ApprovalNumber = approval }, stored, ManagedMembers) : null);
    }

    public override string? MissingForSubmission(JsonObject stored) =>
        stored["evidence"] is null ? "The pilot has no evidence file (approval document): PUT /v1/data-space-pilots/{id}/evidence first." : null;

    public override RecordState ToContract(RecordStore.RecordRow row, DateOnly today)
    {
        var stored = JsonNode.Parse(row.Fields)!.AsObject();
        var f = Read<DataSpacePilotFields>(stored);
        return State(row, () => new DataSpacePilot
        {
            Id = "", Revision = 0, OwnerId = "", Status = "", CreatedAt = default, UpdatedAt = default,
            Level = f.Level!, ProjectName = f.ProjectName!, ApprovalNumber = f.ApprovalNumber!, ConstructionCostFen = f.ConstructionCostFen!.Value,
            Evidence = stored["evidence"]?.Deserialize<RecordFile>(Json.Options),
        });
    }
}
