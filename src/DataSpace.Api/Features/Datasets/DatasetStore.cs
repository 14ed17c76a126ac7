using System.Text.Json;
using Dapper;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Contracts.Datasets;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Datasets;

internal sealed class DatasetStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox)
{
    /// <remarks>
    /// Only for <c>CertificateEndpoints.Status</c>, which the certificate-in-force work (issue 20) rewrites; everything else
    /// uses <see cref="Timestamps.Utc"/>. Remove this once that lands.
    /// </remarks>
    public static DateTimeOffset Utc(DateTime value) => Timestamps.Utc(value);

    private const string Select = """
        select d.id, d.owner_id, o.name as owner_name, d.title, d.description, d.industry, d.tags, d.access, d.licence,
               d.update_frequency, d.security_level, d.personal_information, d.personal_information_consent_ref,
               d.provenance::text as provenance, d.status, d.created_at, d.updated_at, d.published_at, d.withdrawn_at, d.latest_version
        from datasets d join organizations o on o.id = d.owner_id
        """;

    public async Task<DatasetRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DatasetRow>(new CommandDefinition(Select + " where d.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>A dataset <paramref name="caller"/> may see: published and withdrawn ones, and its own drafts.</summary>
    public async Task<DatasetRow?> FindVisibleAsync(Guid id, Guid caller, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DatasetRow>(new CommandDefinition(
            Select + " where d.id = @id and (d.status <> 'draft' or d.owner_id = @caller)", new { id, caller }, cancellationToken: ct));
    }

    /// <summary>Many datasets in one query (a feed page), in no particular order; ids that do not exist are left out.</summary>
    public async Task<IReadOnlyList<DatasetRow>> FindManyAsync(Guid[] ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DatasetRow>(new CommandDefinition(Select + " where d.id = any(@ids)", new { ids }, cancellationToken: ct))).AsList();
    }

    /// <summary>Parent ids that do not exist or that the caller may not see (another organisation's draft).</summary>
    public async Task<IReadOnlyList<Guid>> InvisibleAsync(Guid[] ids, Guid caller, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var visible = await conn.QueryAsync<Guid>(new CommandDefinition(
            "select id from datasets where id = any(@ids) and (status <> 'draft' or owner_id = @caller)", new { ids, caller }, cancellationToken: ct));
        return [.. ids.Except(visible)];
    }

    public async Task<Guid> CreateAsync(Guid ownerId, DatasetRules.Normalized d, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into datasets (id, owner_id, title, description, industry, tags, access, licence, update_frequency, security_level,
                                  personal_information, personal_information_consent_ref, provenance, status, search_text, created_at, updated_at)
            values (@id, @ownerId, @Title, @Description, @Industry, @Tags, @Access, @Licence, @UpdateFrequency, @SecurityLevel,
                    @PersonalInformation, @PersonalInformationConsentRef, @provenance::jsonb, 'draft', @SearchText, @now, @now)
            """, Parameters(d, new { id, ownerId, now }), tx, cancellationToken: ct));
        await ReplaceLineageAsync(conn, tx, id, d.Lineage, ct);
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "dataset", id.ToString(), "registered", Details: new { d.Title, d.Access }), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Rewrites the description of a draft or published dataset; false when it changed state meanwhile.</summary>
    public async Task<bool> UpdateAsync(Guid id, Guid ownerId, DatasetRules.Normalized d, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var updated = await conn.ExecuteAsync(new CommandDefinition("""
            update datasets set title = @Title, description = @Description, industry = @Industry, tags = @Tags, access = @Access,
                licence = @Licence, update_frequency = @UpdateFrequency, security_level = @SecurityLevel,
                personal_information = @PersonalInformation, personal_information_consent_ref = @PersonalInformationConsentRef,
                provenance = @provenance::jsonb, search_text = @SearchText, updated_at = @now
            where id = @id and status <> 'withdrawn' and (status = 'draft' or access = @Access)
            """, Parameters(d, new { id, now }), tx, cancellationToken: ct));
        if (updated == 0)
        {
            return false;
        }

        await ReplaceLineageAsync(conn, tx, id, d.Lineage, ct);
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "dataset", id.ToString(), "updated", Details: new { d.Title }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Moves the dataset from one status to another; false when it was not in <paramref name="from"/>.</summary>
    public async Task<bool> TransitionAsync(Guid id, Guid ownerId, string from, string to, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var moved = await conn.ExecuteAsync(new CommandDefinition("""
            update datasets set status = @to, updated_at = @now,
                published_at = case when @to = 'published' then @now else published_at end,
                withdrawn_at = case when @to = 'withdrawn' then @now else withdrawn_at end
            where id = @id and status = @from
            """, new { id, from, to, now }, tx, cancellationToken: ct)) == 1;
        if (moved)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "dataset", id.ToString(), to), ct);
            if (to == DatasetStatuses.Withdrawn) { await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.DatasetWithdrawn, WebhookAudience.DatasetFollowers, id, new { dataset_id = id }), ct); }
        }

        await tx.CommitAsync(ct);
        return moved;
    }

    public enum DeleteOutcome { Deleted, NotDraft, HasCommittedVersion, InUse }

    /// <summary>
    /// Deletes a draft and what only it owns (open versions and their file rows, lineage, plans, terms and the owner's own acceptances, preview policy) in
    /// one transaction; the deduplicated blobs stay, as when a file is removed from an open version. Anything else that
    /// refers to it (another dataset's lineage, a reward run) makes the foreign keys refuse, and nothing changes.
    /// </summary>
    public async Task<DeleteOutcome> DeleteDraftAsync(Guid id, Guid ownerId, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var status = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select status from datasets where id = @id and owner_id = @ownerId for update", new { id, ownerId }, tx, cancellationToken: ct));
        if (status != DatasetStatuses.Draft)
        {
            return DeleteOutcome.NotDraft;
        }

        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from dataset_versions where dataset_id = @id and status = 'committed')", new { id }, tx, cancellationToken: ct)))
        {
            return DeleteOutcome.HasCommittedVersion;
        }

        try
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                delete from version_files where dataset_id = @id;
                delete from dataset_versions where dataset_id = @id;
                delete from dataset_lineage where dataset_id = @id;
                delete from plans where dataset_id = @id;
                delete from agreements where dataset_id = @id;
                delete from dataset_terms where dataset_id = @id;
                delete from dataset_preview_policies where dataset_id = @id;
                delete from datasets where id = @id;
                """, new { id }, tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return DeleteOutcome.InUse;
        }

        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "dataset", id.ToString(), "deleted"), ct);
        await tx.CommitAsync(ct);
        return DeleteOutcome.Deleted;
    }

    private static DynamicParameters Parameters(DatasetRules.Normalized d, object extra)
    {
        var p = new DynamicParameters(extra);
        p.AddDynamicParams(new
        {
            d.Title, d.Description, d.Industry, d.Tags, d.Access, d.Licence, d.UpdateFrequency, d.SecurityLevel,
            d.PersonalInformation, d.PersonalInformationConsentRef, d.SearchText,
            provenance = JsonSerializer.Serialize(d.Provenance, Json.Options),
        });
        return p;
    }

    private static async Task ReplaceLineageAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, Guid[] parents, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("delete from dataset_lineage where dataset_id = @id", new { id }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "insert into dataset_lineage (dataset_id, parent_id) select @id, unnest(@parents)", new { id, parents }, tx, cancellationToken: ct));
    }
}
