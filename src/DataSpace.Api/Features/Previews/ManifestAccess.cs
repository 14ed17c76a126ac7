using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Access;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Previews;

/// <summary>
/// The preview policy, applied wherever a manifest or a file profile goes out: who sees everything (the owner; whoever
/// <see cref="AccessGate"/> lets use the version — everyone for a published open dataset, the holder of an entitlement,
/// grant or approval within its usage policy; an authority under the owner's consent for
/// dataset_files, through <see cref="ConsentGate"/>), and what everyone else sees (the owner's <see cref="PreviewStore"/>
/// policy). Authority reads are audited with their basis, so the owner sees who looked and under what.
/// </summary>
[FeatureService]
internal sealed class ManifestAccess(ConsentGate gate, AccessGate access, PreviewStore previews, AuditChain audit)
{
    public const string Full = "full";
    public const string Preview = "preview";

    /// <summary>How the caller sees this dataset's manifests: the policy to apply, or null for everything.</summary>
    public sealed record View(string Kind, PreviewStore.PolicyRow? Policy)
    {
        public VersionFile Apply(VersionFile file) => Policy is not { } p ? file : file with
        {
            Sha256 = p.Hashes ? file.Sha256 : null,
            Profile = file.Profile is not { } profile ? null : profile with
            {
                Columns = p.Statistics || profile.Columns is null ? profile.Columns
                    : [.. profile.Columns.Select(c => c with { Min = null, Max = null, MinLength = null, MaxLength = null })],
                ParquetRendition = p.Hashes || profile.ParquetRendition is null ? profile.ParquetRendition : profile.ParquetRendition with { Sha256 = null },
            },
        };
    }

    /// <summary>Decides the caller's view of a version's manifest; records the read when an authority makes it.</summary>
    public async Task<View> ForAsync(DatasetRow dataset, int version, HttpContext http, CancellationToken ct)
    {
        if (dataset.IsOwnedBy(http.User.OrganizationId()))
        {
            return new View(Full, null);
        }

        // The same gate as downloads: a right whose use the usage policy refuses (expired, another purpose or version)
        // shows the preview, as if there were none. Terms to accept again block downloads only, as they always did; the
        // count of complete downloads limits downloads, not reading the manifest.
        var held = await access.CheckAsync(dataset, http.User, ct);
        if (held.Blocking || (held.Basis is not null && await access.UseAsync(held, dataset, http.User, version, download: false, ct) is null))
        {
            return new View(Full, null);
        }

        if (!ConsentGate.IsGrantee(http.User))
        {
            return new View(Preview, await previews.FindAsync(dataset.Id, ct));
        }

        var consent = (await gate.CheckAsync(http.User, dataset.OwnerId, ConsentCategories.DatasetFiles, dataset.Id, ct)).MostSpecific(dataset.Id);
        var view = consent is null ? new View(Preview, await previews.FindAsync(dataset.Id, ct)) : new View(Full, null);
        await audit.AppendAsync(new AuditEntry(AuditActor.From(http), dataset.OwnerId, "manifest", $"{dataset.Id}/{version}", "read",
            consent is null ? Preview : "consent", consent?.Id.ToString(), new { view = view.Kind }), ct);
        return view;
    }
}
