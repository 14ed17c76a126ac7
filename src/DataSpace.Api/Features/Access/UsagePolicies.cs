using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataSpace.Api.Auth;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// Usage policies: their code lists, validation into one canonical form (so equal policies hash equal), and the pure
/// evaluation a read goes through. No I/O and no clock: the caller passes in what it knows.
/// </summary>
[FeatureService]
internal static class UsagePolicies
{
    public static readonly IReadOnlyList<string> Purposes =
        ["model_training", "model_evaluation", "scientific_research", "public_service", "internal_analysis", "product_development"];

    public static readonly IReadOnlyList<string> Duties = ["attribution", "notify_owner"];
    public static readonly IReadOnlyList<string> Prohibitions = ["resale", "reidentification", "onward_transfer"];

    private static readonly JsonSerializerOptions Canonical = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>The facts a decision needs about one use.</summary>
    /// <param name="CompleteDownloads">How many complete downloads the organisation made; null when not counted.</param>
    public sealed record Use(Guid Organization, IReadOnlyCollection<string> Roles, string? Purpose, DateTimeOffset Now, int? Version, long? CompleteDownloads);

    /// <summary>A failed clause: its stable code and what failed.</summary>
    public sealed record Denial(string Code, string Title, string Detail)
    {
        public ProblemHttpResult Problem() => Problems.Problem.Of(StatusCodes.Status403Forbidden, Code, Title, Detail);
    }

    /// <summary>Checks a policy as given by an owner and returns its canonical form (sorted, deduplicated), or names the bad fields.</summary>
    public static UsagePolicy? Normalize(UsagePolicy? policy, Validation v, string prefix)
    {
        if (policy is null)
        {
            return null;
        }

        var p = policy.Permission;
        UsageRule? permission = null;
        if (p is not null)
        {
            var orgs = Distinct(p.AssigneeOrganizations);
            if (orgs?.Any(o => !Guid.TryParse(o, out _)) == true)
            {
                v.Add($"{prefix}.permission.assignee_organizations", "must be organisation ids");
            }

            var roles = Distinct(p.AssigneeRoles);
            if (roles?.Any(r => !Roles.All.Contains(r)) == true)
            {
                v.Add($"{prefix}.permission.assignee_roles", $"must be among {string.Join(", ", Roles.All)}");
            }

            var purposes = Distinct(p.Purposes);
            if (purposes?.Any(x => !Purposes.Contains(x)) == true)
            {
                v.Add($"{prefix}.permission.purposes", $"must be among {string.Join(", ", Purposes)}");
            }

            if (p.ValidFrom is { } from && p.ValidUntil is { } until && until <= from)
            {
                v.Add($"{prefix}.permission.valid_until", "must be after valid_from");
            }

            if (p.MaxCompleteDownloads is < 1)
            {
                v.Add($"{prefix}.permission.max_complete_downloads", "must be at least 1");
            }

            if (p.Versions?.Any(n => n < 1) == true)
            {
                v.Add($"{prefix}.permission.versions", "must be version numbers (1 or more)");
            }

            permission = new UsageRule
            {
                AssigneeOrganizations = orgs?.Select(o => Guid.TryParse(o, out var g) ? g.ToString() : o).Order(StringComparer.Ordinal).ToArray(),
                AssigneeRoles = roles,
                Purposes = purposes,
                ValidFrom = p.ValidFrom?.ToUniversalTime(),
                ValidUntil = p.ValidUntil?.ToUniversalTime(),
                MaxCompleteDownloads = p.MaxCompleteDownloads,
                Versions = p.Versions is { Count: > 0 } ns ? [.. ns.Distinct().Order()] : null,
            };
        }

        var duties = Distinct(policy.Duties);
        if (duties?.Any(d => !Duties.Contains(d)) == true)
        {
            v.Add($"{prefix}.duties", $"must be among {string.Join(", ", Duties)}");
        }

        var prohibitions = Distinct(policy.Prohibitions);
        if (prohibitions?.Any(d => !Prohibitions.Contains(d)) == true)
        {
            v.Add($"{prefix}.prohibitions", $"must be among {string.Join(", ", Prohibitions)}");
        }

        return new UsagePolicy { Permission = permission, Duties = duties, Prohibitions = prohibitions };
    }

    private static string[]? Distinct(IReadOnlyList<string>? values) =>
        values is { Count: > 0 } ? [.. values.Select(x => x.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : null;

    public static string ToJson(UsagePolicy policy) => JsonSerializer.Serialize(policy, Canonical);

    public static UsagePolicy FromJson(string json) => JsonSerializer.Deserialize<UsagePolicy>(json, Canonical)!;

    /// <summary>SHA-256 (lower-case hex) of the canonical JSON: what agreements record.</summary>
    public static string Hash(string canonicalJson) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonicalJson)));

    /// <summary>Whether a complete-download count is needed to decide (so the caller only counts when it matters).</summary>
    public static bool Counts(UsagePolicy? policy) => policy?.Permission?.MaxCompleteDownloads is not null;

    /// <summary>
    /// The first clause of the permission the use fails, in a fixed order (assignee, purpose, time, version, count), or
    /// null when the use is allowed. Duties and prohibitions bind the consumer by the agreement; they are not decided per read.
    /// </summary>
    public static Denial? Evaluate(UsagePolicy? policy, Use use)
    {
        if (policy?.Permission is not { } p)
        {
            return null;
        }

        if ((p.AssigneeOrganizations is not null || p.AssigneeRoles is not null)
            && p.AssigneeOrganizations?.Contains(use.Organization.ToString()) != true
            && p.AssigneeRoles?.Any(use.Roles.Contains) != true)
        {
            return new Denial(ProblemCodes.PolicyAssigneeMismatch, "The usage policy does not name your organisation",
                "The permission is for " + string.Join(" or ", new[]
                {
                    p.AssigneeOrganizations is { } o ? "organisations " + string.Join(", ", o) : null,
                    p.AssigneeRoles is { } r ? "roles " + string.Join(", ", r) : null,
                }.OfType<string>()) + ".");
        }

        if (p.Purposes is { } purposes && (use.Purpose is null || !purposes.Contains(use.Purpose)))
        {
            return new Denial(ProblemCodes.PolicyPurposeMismatch, "Your declared purpose is not permitted",
                $"The usage policy permits {string.Join(", ", purposes)}; the declared purpose is {use.Purpose ?? "none"}. " +
                "The purpose is the one recorded by your agreement (POST /v1/datasets/{id}/agreements with purpose), grant or access request.");
        }

        if (p.ValidFrom is { } from && use.Now < from)
        {
            return new Denial(ProblemCodes.PolicyNotYetValid, "The usage policy does not permit use yet", $"Use is permitted from {from:yyyy-MM-ddTHH:mm:ssZ}.");
        }

        if (p.ValidUntil is { } until && use.Now >= until)
        {
            return new Denial(ProblemCodes.PolicyExpired, "The usage policy's period has ended", $"Use was permitted until {until:yyyy-MM-ddTHH:mm:ssZ}.");
        }

        if (p.Versions is { } versions && use.Version is { } version && !versions.Contains(version))
        {
            return new Denial(ProblemCodes.PolicyVersionMismatch, "The usage policy does not cover this version",
                $"The permission covers versions {string.Join(", ", versions)}; version {version} was asked for.");
        }

        if (p.MaxCompleteDownloads is { } max && use.CompleteDownloads is { } done && done >= max)
        {
            return new Denial(ProblemCodes.PolicyCountExceeded, "The usage policy's download count is used up",
                $"The permission allows {max} complete downloads; your organisation made {done}.");
        }

        return null;
    }
}
