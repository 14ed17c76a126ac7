using System.Text.Json.Nodes;
using DataSpace.Api.Features.Listings;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Listings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataSpace.Api.Features.Certificates;

/// <summary>
/// Listing certificates, public: anyone (no token) reads a certificate, its signatures and its status now, the exact
/// signed bytes, the public keys and the JSON Schema, and verifies offline with openssl (see README).
/// </summary>
internal static class CertificateEndpoints
{
    public static IEndpointRouteBuilder MapCertificateEndpoints(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/v1/certificates").WithTags("Certificates").AllowAnonymous();
        open.MapGet("/keys", Keys).WithName("GetCertificateKeys")
            .WithSummary("The public keys that sign listing certificates: SM2 (SM3) and Ed25519, SubjectPublicKeyInfo PEM (public)")
            .Produces<IReadOnlyList<CertificateKey>>();
        open.MapGet("/schema", Schema).WithName("GetCertificateSchema")
            .WithSummary("The JSON Schema (2020-12) of a listing certificate (public)")
            .Produces<string>(StatusCodes.Status200OK, "application/schema+json");
        open.MapGet("/{number}", GetAsync).WithName("GetCertificate")
            .WithSummary("A listing certificate with its signatures and status: valid, expired, or revoked (listing revoked, or the dataset withdrawn) (public)")
            .Produces<ListingCertificate>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        open.MapGet("/{number}/canonical", CanonicalAsync).WithName("GetCertificateCanonical")
            .WithSummary("The exact signed bytes: RFC 8785 canonical JSON of the certificate, for openssl pkeyutl -verify -rawin -in (public)")
            .Produces<string>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static readonly Lazy<string> SchemaText = new(() =>
    {
        using var stream = typeof(CertificateEndpoints).Assembly.GetManifestResourceStream("DataSpace.Api.Features.Certificates.listing-certificate.schema.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static Ok<IReadOnlyList<CertificateKey>> Keys(CertificateIssuer issuer) => TypedResults.Ok<IReadOnlyList<CertificateKey>>(
    [
        new(CertificateIssuer.Sm2Algorithm, issuer.Sm2.KeyId, issuer.Sm2.PublicKeyPem, Sm2Signer.DistinguishingId),
        new(CertificateIssuer.Ed25519Algorithm, issuer.Ed25519.KeyId, issuer.Ed25519.PublicKeyPem, null),
    ]);

    private static ContentHttpResult Schema() => TypedResults.Text(SchemaText.Value, "application/schema+json");

    private static ProblemHttpResult NotFound(string number) =>
        Problem.NotFound(ProblemCodes.CertificateNotFound, "Certificate not found", $"No listing certificate has number '{number}'.");

    private static async Task<IResult> GetAsync(string number, ListingStore store, TimeProvider clock, CancellationToken ct)
    {
        var row = await store.CertificateAsync(number, ct);
        if (row is null)
        {
            return NotFound(number);
        }

        var (status, reason, at) = Status(row, clock.GetUtcNow());
        return TypedResults.Ok(new ListingCertificate
        {
            Number = row.Number,
            Certificate = JsonNode.Parse(row.Body)!.AsObject(),
            Signatures =
            [
                new(CertificateIssuer.Sm2Algorithm, row.Sm2KeyId, Convert.ToBase64String(row.Sm2Signature)),
                new(CertificateIssuer.Ed25519Algorithm, row.Ed25519KeyId, Convert.ToBase64String(row.Ed25519Signature)),
            ],
            Status = status,
            RevokedReason = reason,
            RevokedAt = at,
        });
    }

    /// <summary>
    /// Revoked when the listing was revoked or the dataset withdrawn; otherwise expired once its span in force ends (both
    /// as view listing_certificate_validity defines them, the one rule rewards and fee subsidies read too).
    /// </summary>
    internal static (string Status, string? Reason, DateTimeOffset? At) Status(ListingStore.CertificateRow row, DateTimeOffset now) =>
        row.RevokedBy switch
        {
            "listing" => (CertificateStatuses.Revoked, row.RevokedReason, Datasets.DatasetStore.Utc(row.RevokedAt!.Value)),
            "dataset" => (CertificateStatuses.Revoked, "The dataset was withdrawn by its owner.", row.RevokedAt is { } w ? Datasets.DatasetStore.Utc(w) : null),
            _ => now >= Datasets.DatasetStore.Utc(row.InForceUntil!.Value) ? (CertificateStatuses.Expired, null, null) : (CertificateStatuses.Valid, null, null),
        };

    private static async Task<IResult> CanonicalAsync(string number, ListingStore store, CancellationToken ct) =>
        await store.CertificateAsync(number, ct) is { } row
            ? TypedResults.Bytes(System.Text.Encoding.UTF8.GetBytes(row.Body), "application/json")
            : NotFound(number);
}
