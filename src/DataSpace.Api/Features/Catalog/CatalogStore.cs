using Dapper;
using DataSpace.Api.Features.Datasets;
using DataSpace.Contracts.Datasets;
using Npgsql;

namespace DataSpace.Api.Features.Catalog;

internal sealed class CatalogStore(NpgsqlDataSource db)
{
    public sealed record Filter(string? Q, string? Industry, string? Access, Guid? Owner, DateTimeOffset? UpdatedSince, Guid? After, int Limit);

    /// <remarks>Init properties: Npgsql reports text[] as System.Array, which Dapper cannot match to a constructor.</remarks>
    public sealed record Row
    {
        public required Guid Id { get; init; }
        public required Guid OwnerId { get; init; }
        public required string OwnerName { get; init; }
        public required string Status { get; init; }
        public required string Title { get; init; }
        public required string Description { get; init; }
        public required string Industry { get; init; }
        public required string[] Tags { get; init; }
        public required string Access { get; init; }
        public required string UpdateFrequency { get; init; }
        public int? LatestVersion { get; init; }
        public required DateTime UpdatedAt { get; init; }
        public DateTime? PublishedAt { get; init; }

        public DatasetSummary ToContract() => new()
        {
            Id = Id.ToString(),
            Owner = new DataSpace.Contracts.Common.OrganizationRef(OwnerId.ToString(), OwnerName),
            Status = Status,
            Title = Title,
            Description = Description,
            Industry = Industry,
            Tags = Tags,
            Access = Access,
            UpdateFrequency = UpdateFrequency,
            LatestVersion = LatestVersion,
            UpdatedAt = DatasetStore.Utc(UpdatedAt),
            PublishedAt = PublishedAt is { } p ? DatasetStore.Utc(p) : null,
        };
    }

    /// <summary>All of a unit's datasets (drafts and paid included) that <paramref name="covered"/> names, or all when null; newest first.</summary>
    public async Task<IReadOnlyList<Row>> ForUnitAsync(Guid unit, Guid[]? covered, Guid? after, int limit, CancellationToken ct)
    {
        const string sql = """
            select d.id, d.owner_id, o.name as owner_name, d.status, d.title, left(d.description, 300) as description, d.industry, d.tags,
                   d.access, d.update_frequency, d.updated_at, d.published_at, d.latest_version
            from datasets d join organizations o on o.id = d.owner_id
            where d.owner_id = @unit and (@covered::uuid[] is null or d.id = any(@covered)) and (@after::uuid is null or d.id < @after)
            order by d.id desc limit @limit
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Row>(new CommandDefinition(sql, new { unit, covered, after, limit }, cancellationToken: ct))).AsList();
    }

    // The same filters apply to both halves of the union below.
    private const string Filters = """
        (@pattern::text is null or d.search_text like @pattern escape '\')
        and (@industry::text is null or d.industry = @industry)
        and (@access::text is null or d.access = @access)
        and (@owner::uuid is null or d.owner_id = @owner)
        and (@updatedSince::timestamptz is null or d.updated_at >= @updatedSince)
        and (@after::uuid is null or d.id < @after)
        """;

    private const string Columns = """
        select c.id, c.owner_id, o.name as owner_name, c.status, c.title, left(c.description, 300) as description, c.industry, c.tags,
               c.access, c.update_frequency, c.updated_at, c.published_at, c.latest_version
        """;

    /// <summary>
    /// Published datasets plus the caller's own drafts, newest first (by time-ordered id, a stable keyset). Written as a
    /// union so that each half walks its own index and the limit applies early; organisations that own no datasets
    /// (only source units do) skip the drafts half.
    /// </summary>
    public async Task<IReadOnlyList<Row>> ListAsync(Guid caller, bool callerOwnsDatasets, Filter f, CancellationToken ct)
    {
        const string published = $"""
            {Columns}
            from (select d.* from datasets d where d.status = 'published' and {Filters} order by d.id desc limit @limit) c
            join organizations o on o.id = c.owner_id
            order by c.id desc
            """;
        const string publishedAndDrafts = $"""
            {Columns}
            from (
                (select d.* from datasets d where d.status = 'published' and {Filters} order by d.id desc limit @limit)
                union all
                (select d.* from datasets d where d.owner_id = @caller and d.status = 'draft' and {Filters} order by d.id desc limit @limit)
            ) c join organizations o on o.id = c.owner_id
            order by c.id desc
            limit @limit
            """;
        var sql = callerOwnsDatasets ? publishedAndDrafts : published;
        var pattern = f.Q is null ? null : "%" + f.Q.ToLowerInvariant().Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new
        {
            caller, pattern, industry = f.Industry, access = f.Access, owner = f.Owner, updatedSince = f.UpdatedSince, after = f.After, limit = f.Limit,
        }, cancellationToken: ct));
        return rows.AsList();
    }
}
