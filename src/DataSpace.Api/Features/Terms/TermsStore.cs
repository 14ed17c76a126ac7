using System.Security.Cryptography;
using System.Text;
using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Access;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Orders;
using Npgsql;

namespace DataSpace.Api.Features.Terms;

/// <summary>Data use agreements: versioned, hashed texts, and who accepted which version.</summary>
[FeatureService]
internal sealed class TermsStore(NpgsqlDataSource db, AuditChain audit)
{
    public sealed record TermsRow(Guid DatasetId, int Version, string Text, string Sha256, DateTime CreatedAt, string? Policy, string? PolicySha256)
    {
        public DatasetTerms ToContract() => new(DatasetId.ToString(), Version, Text, Sha256, Timestamps.Utc(CreatedAt),
            Policy is null ? null : UsagePolicies.FromJson(Policy), PolicySha256);
    }

    public async Task<TermsRow?> CurrentAsync(Guid datasetId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<TermsRow>(new CommandDefinition(
            "select dataset_id, version, text, sha256, created_at, policy::text as policy, policy_sha256 from dataset_terms where dataset_id = @datasetId order by version desc limit 1",
            new { datasetId }, cancellationToken: ct));
    }

    /// <summary>The usage policies of the current terms of several datasets in one query; datasets without one are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, UsagePolicy>> CurrentPoliciesAsync(Guid[] datasetIds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(Guid DatasetId, string? Policy)>(new CommandDefinition("""
            select distinct on (dataset_id) dataset_id, policy::text as policy from dataset_terms
            where dataset_id = any(@datasetIds) order by dataset_id, version desc
            """, new { datasetIds }, cancellationToken: ct));
        return rows.Where(r => r.Policy is not null).ToDictionary(r => r.DatasetId, r => UsagePolicies.FromJson(r.Policy!));
    }

    /// <summary>Sets the next version; <paramref name="policy"/> is the usage policy's canonical JSON, if it has one.</summary>
    public async Task<TermsRow> SetAsync(Guid datasetId, Guid ownerId, string text, string? policy, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var policySha256 = policy is null ? null : UsagePolicies.Hash(policy);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("select 1 from datasets where id = @datasetId for update", new { datasetId }, tx, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<TermsRow>(new CommandDefinition("""
            insert into dataset_terms (dataset_id, version, text, sha256, created_at, policy, policy_sha256)
            select @datasetId, coalesce(max(version), 0) + 1, @text, @sha256, @now, @policy::jsonb, @policySha256 from dataset_terms where dataset_id = @datasetId
            returning dataset_id, version, text, sha256, created_at, policy::text as policy, policy_sha256
            """, new { datasetId, text, sha256, now, policy, policySha256 }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "terms", $"{datasetId}/{row.Version}", "set", Details: new { sha256, policy_sha256 = policySha256 }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>
    /// Records the acceptance (once per organisation and version; accepting again is harmless) with the policy hash of
    /// that version. A purpose given declares (or changes) what the organisation uses the data for; none keeps the recorded one.
    /// </summary>
    public sealed record AgreementRow(DateTime AcceptedAt, string? Purpose, string? PolicySha256);

    public async Task<AgreementRow> AcceptAsync(
        Guid datasetId, Guid ownerId, int version, Guid organizationId, string clientId, string? purpose, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var inserted = await conn.ExecuteAsync(new CommandDefinition("""
            insert into agreements (dataset_id, terms_version, organization_id, client_id, accepted_at, purpose, policy_sha256)
            select @datasetId, @version, @organizationId, @clientId, @now, @purpose, policy_sha256
            from dataset_terms where dataset_id = @datasetId and version = @version
            on conflict do nothing
            """, new { datasetId, version, organizationId, clientId, now, purpose }, tx, cancellationToken: ct));
        if (inserted == 0 && purpose is not null)
        {
            inserted = await conn.ExecuteAsync(new CommandDefinition("""
                update agreements set purpose = @purpose
                where dataset_id = @datasetId and terms_version = @version and organization_id = @organizationId and purpose is distinct from @purpose
                """, new { datasetId, version, organizationId, purpose }, tx, cancellationToken: ct));
        }
        if (inserted == 1)
        {
            // An acceptance makes the consumer known to the owner, as an order does.
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "terms", $"{datasetId}/{version}", "accepted", "agreement", null,
                purpose is null ? null : new { purpose }), ct);
        }

        var at = await conn.QuerySingleAsync<AgreementRow>(new CommandDefinition(
            "select accepted_at, purpose, policy_sha256 from agreements where dataset_id = @datasetId and terms_version = @version and organization_id = @organizationId",
            new { datasetId, version, organizationId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return at;
    }

    /// <summary>Whether the organisation accepted the dataset's current terms (true when the dataset has none).</summary>
    public async Task<(bool Accepted, int? CurrentVersion)> AcceptedCurrentAsync(Guid datasetId, Guid organizationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var state = await conn.QuerySingleAsync<(int? Current, bool Accepted)>(new CommandDefinition("""
            with current as (select max(version) as v from dataset_terms where dataset_id = @datasetId)
            select current.v, exists (select 1 from agreements a where a.dataset_id = @datasetId and a.terms_version = current.v and a.organization_id = @organizationId)
            from current
            """, new { datasetId, organizationId }, cancellationToken: ct));
        return (state.Current is null || state.Accepted, state.Current);
    }
}
