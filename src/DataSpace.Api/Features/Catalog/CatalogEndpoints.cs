using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Datasets;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Catalog;

internal static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/datasets", Search).WithTags("Catalog").WithName("SearchCatalog")
            .WithSummary("Published datasets (and your own drafts), newest first. q matches Chinese or English substrings of " +
                "title, description and tags; filters by industry, access, owner and updated_since; keyset pagination")
            .RequireAuthorization(Policies.Catalog)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Ok<Page<DatasetSummary>>, ProblemHttpResult>> Search(
        HttpContext http, CatalogStore catalog, CancellationToken ct,
        [FromQuery] string? q = null, [FromQuery] string? industry = null, [FromQuery] string? access = null,
        [FromQuery] string? owner = null, [FromQuery(Name = "updated_since")] string? updatedSince = null,
        [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (q is { Length: > 100 })
        {
            v.Add("q", "must be at most 100 characters");
        }

        if (access is not null && !AccessModes.All.Contains(access))
        {
            v.Add("access", "must be open or paid");
        }

        Guid? ownerId = null;
        if (owner is not null)
        {
            if (Guid.TryParse(owner, out var o))
            {
                ownerId = o;
            }
            else
            {
                v.Add("owner", "is not an organisation id");
            }
        }

        var since = Dates.ReadInstant(updatedSince, "updated_since", v);

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await catalog.ListAsync(http.User.OrganizationId(), http.User.HasRole(Roles.SourceUnit),
            new CatalogStore.Filter(q, string.IsNullOrWhiteSpace(industry) ? null : industry.Trim(), access, ownerId, since, after, size + 1), ct);
        var next = rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null;
        return TypedResults.Ok(new Page<DatasetSummary>([.. rows.Take(size).Select(r => r.ToContract())], next));
    }
}
