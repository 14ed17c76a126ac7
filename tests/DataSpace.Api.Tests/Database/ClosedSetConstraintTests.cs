using System.Text.RegularExpressions;
using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Listings;
using DataSpace.Contracts.Orders;
using DataSpace.Contracts.Records;
using DataSpace.Contracts.Rewards;
using DataSpace.Contracts.Versions;
using DataSpace.Contracts.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataSpace.Api.Tests.Database;

/// <summary>
/// SQL keeps its own literals, so the database's CHECK constraints are a second spelling of the closed sets: read them
/// from pg_constraint of the migrated database and compare each with its definition. (The schema has no enum types.)
/// </summary>
public sealed partial class ClosedSetConstraintTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static IReadOnlyList<string> Stored(IReadOnlyList<string> all, params string[] computed) => [.. all.Except(computed)];

    /// <summary>
    /// Each constrained column with the set it stores. A state the server computes and never stores (expired, past a
    /// validity window) is left out of what the column holds.
    /// </summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> Columns = new(StringComparer.Ordinal)
    {
        ["datasets.access"] = AccessModes.All,
        ["datasets.security_level"] = SecurityLevels.All,
        ["datasets.personal_information"] = PersonalInformationKinds.All,
        ["datasets.status"] = DatasetStatuses.All,
        ["dataset_versions.status"] = VersionStatuses.All,
        ["file_profiles.status"] = ProfileStatuses.All,
        ["file_profiles.rendition_status"] = RenditionStatuses.All,
        ["blobs.damage"] = Stored(FileConditions.All, FileConditions.Intact),
        ["plans.kind"] = PlanKinds.All,
        ["plans.period"] = PlanPeriods.All,
        ["orders.status"] = OrderStatuses.All,
        ["consent_requests.status"] = Stored(ConsentRequestStatuses.All, ConsentRequestStatuses.Expired),
        ["reward_policies.cap_scope"] = CapScopes.All,
        ["reward_runs.status"] = RewardRunStatuses.All,
        ["records.kind"] = Stored(CertificateKinds.All, CertificateKinds.ListingCertificate),
        ["records.status"] = RecordStatuses.All,
        ["users.console_role"] = ConsoleRoles.All,
        ["listings.status"] = ListingStatuses.All,
        ["listing_objections.status"] = ObjectionStatuses.All,
        ["dataset_exchange_registrations.type"] = RegistrationTypes.All,
        ["dataset_access_policies.policy"] = AccessPolicyKinds.All,
        ["access_requests.status"] = Stored(AccessRequestStatuses.All, AccessRequestStatuses.Expired),
        ["assessment_invitations.kind"] = AssessmentKinds.All,
        ["access_grants.kind"] = GrantKinds.All,
        ["access_grants.status"] = Stored(GrantStatuses.All, GrantStatuses.Expired),
        ["webhook_outbox.status"] = DeliveryStatuses.All,
        ["webhook_attempts.trigger"] = DeliveryTriggers.All,
    };

    [GeneratedRegex(@"^CHECK \(\(\(?(?<column>[a-z_]+)\)? = ANY \(\(?ARRAY\[(?<values>[^\]]*)\]\)?\)\)\)$")]
    private static partial Regex InList();

    [Fact]
    public async Task Every_check_constraint_on_a_closed_set_equals_its_definition()
    {
        var ct = TestContext.Current.CancellationToken;
        await api.OperatorAsync(); // the server is up and the database migrated
        await using var conn = await api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Table, string Definition)>(new CommandDefinition("""
            select c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
            from pg_constraint c join pg_class t on t.oid = c.conrelid
            where c.contype = 'c' and t.relnamespace = current_schema()::regnamespace and not t.relispartition
            """, cancellationToken: ct));

        var found = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (table, definition) in rows)
        {
            if (InList().Match(definition) is { Success: true } m)
            {
                found[$"{table}.{m.Groups["column"].Value}"] =
                    [.. Regex.Matches(m.Groups["values"].Value, @"'([^']*)'::(?:text|bpchar)").Select(v => v.Groups[1].Value)];
            }
        }

        Assert.Empty(await conn.QueryAsync<string>(new CommandDefinition(
            "select typname from pg_type where typtype = 'e' and typnamespace = current_schema()::regnamespace", cancellationToken: ct)));
        foreach (var (column, expected) in Columns)
        {
            Assert.True(found.TryGetValue(column, out var values), $"no CHECK (... in (...)) constraint on {column}; found: {string.Join(", ", found.Keys.Order())}");
            Assert.True(values!.ToHashSet(StringComparer.Ordinal).SetEquals(expected),
                $"{column} allows [{string.Join(", ", values!)}] but its closed set stores [{string.Join(", ", expected)}]");
        }

        // The constrained columns not compared are internal (never sent as such): a new one must be put in one list or the other.
        string[] internalColumns =
        [
            "order_buyer_rollups.grain", "revenue_rollups.grain", "payments.source", "record_policies.kind", "revenue_entries.kind",
            "usage_events.representation", "usage_events.status",
        ];
        Assert.Empty(found.Keys.Except(Columns.Keys).Except(internalColumns).Order());
    }
}
