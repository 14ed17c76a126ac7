using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Listings;
using DataSpace.Usage;

namespace DataSpace.Api.Features.Certificates;

/// <summary>
/// Issues listing certificates (数据产品登记凭证): a JSON document (schema: <see cref="CertificateSchema"/>) whose RFC 8785
/// canonical bytes are signed twice, SM2 with SM3 (<see cref="Sm2Signer"/>) and Ed25519 (the audit checkpoint key,
/// <see cref="CheckpointSigner"/>), so that verifiers at home and abroad each check a signature with their usual tools.
/// The certificate holds strings and integers only, so that every JCS implementation writes the same bytes.
/// </summary>
[FeatureService]
internal sealed class CertificateIssuer(Sm2Signer sm2, CheckpointSigner ed25519)
{
    public const string Type = "dataspace.listing_certificate.v1";
    public const string Sm2Algorithm = "SM2-SM3";
    public const string Ed25519Algorithm = "Ed25519";

    public sealed record Issued(string Number, string Body, string Sm2KeyId, byte[] Sm2Signature, string Ed25519KeyId, byte[] Ed25519Signature, DateTimeOffset ValidUntil);

    public Sm2Signer Sm2 => sm2;

    public CheckpointSigner Ed25519 => ed25519;

    /// <summary>Registration number: DSL-{year of issue, Asia/Shanghai}-{sequence, 6 digits}.</summary>
    public static string NumberOf(long sequence, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"DSL-{ReportingPeriods.DateOf(now).Year}-{sequence:D6}");

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Org(Guid id, string name, string code) => new() { ["id"] = id.ToString(), ["name"] = name, ["unified_social_credit_code"] = code };

    public Issued Issue(long sequence, ListingStore.ListingRow listing, DatasetRow dataset, IReadOnlyList<string> scenarios,
        IReadOnlyList<ListingStore.ReportRow> reports, ListingStore.OrganizationRow reviewer, DateTimeOffset now)
    {
        var number = NumberOf(sequence, now);
        // In force until the end (Asia/Shanghai) of the earliest report's last valid day, and at most a year.
        var reportsEnd = ReportingPeriods.StartOf(reports.Min(r => r.ValidUntil).AddDays(1));
        var validUntil = reportsEnd < now.AddYears(1) ? reportsEnd : now.AddYears(1);
        var grade = reports.FirstOrDefault(r => r.Kind == "quality")?.Grade ?? reports[0].Grade;
        var body = new JsonObject
        {
            ["type"] = Type,
            ["number"] = number,
            ["issued_at"] = Time(now),
            ["valid_until"] = Time(validUntil),
            ["listing_id"] = listing.Id.ToString(),
            ["dataset"] = new JsonObject
            {
                ["id"] = dataset.Id.ToString(),
                ["title"] = dataset.Title,
                ["access"] = dataset.Access,
                ["security_level"] = dataset.SecurityLevel,
                ["personal_information"] = dataset.PersonalInformation,
            },
            ["version"] = new JsonObject { ["number"] = listing.Version, ["manifest_sha256"] = listing.ManifestSha256 },
            ["owner"] = Org(listing.OwnerId, listing.OwnerName, listing.OwnerCode),
            ["scenarios"] = new JsonArray([.. scenarios.Select(s => (JsonNode)s)]),
            ["assessments"] = new JsonArray([.. reports.Select(r => (JsonNode)new JsonObject
            {
                ["kind"] = r.Kind,
                ["report_id"] = r.Id.ToString(),
                ["report_number"] = r.ReportNumber,
                ["document_sha256"] = r.DocumentSha256,
                ["manifest_sha256"] = r.ManifestSha256,
                ["grade"] = r.Grade,
                ["conclusion"] = r.Conclusion,
                ["valid_until"] = r.ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["assessor"] = Org(r.AssessorId, r.AssessorName, r.AssessorCode),
            })]),
            ["grade"] = grade,
            ["reviewer"] = Org(reviewer.Id, reviewer.Name, reviewer.UnifiedSocialCreditCode),
            ["signing_keys"] = new JsonObject { ["sm2_sm3"] = sm2.KeyId, ["ed25519"] = ed25519.KeyId },
        };
        var canonical = Jcs.Canonicalize(body);
        return new Issued(number, Encoding.UTF8.GetString(canonical), sm2.KeyId, sm2.Sign(canonical), ed25519.KeyId, ed25519.Sign(canonical), validUntil);
    }
}
