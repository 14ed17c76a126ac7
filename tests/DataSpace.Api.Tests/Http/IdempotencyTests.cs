using Dapper;

namespace DataSpace.Api.Tests.Http;

public sealed class IdempotencyTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Unit, Credentials Authority)> Parties()
    {
        var unit = await api.ClientFor(await api.OrganizationAsync("幂等数源单位", "source_unit"));
        return (unit, await api.OrganizationAsync("幂等主管部门", "authority"));
    }

    private static HttpRequestMessage Grant(object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return request;
    }

    private async Task<long> ConsentsGrantedTo(string grantee)
    {
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        return await conn.ExecuteScalarAsync<long>("select count(*) from consents where grantee_id = @g", new { g = Guid.Parse(grantee) });
    }

    [Fact]
    public async Task A_replay_returns_the_first_result_and_creates_nothing_more()
    {
        var (unit, authority) = await Parties();
        var body = ConsentFlow.Body(authority.OrganizationId, ["revenue"]);
        var key = Guid.NewGuid().ToString();

        var first = await unit.SendAsync(Grant(body, key), Ct);
        var replay = await unit.SendAsync(Grant(body, key), Ct);

        var firstBody = await first.AssertJson(HttpStatusCode.Created);
        var replayBody = await replay.AssertJson(HttpStatusCode.Created);
        Assert.Equal(firstBody.GetProperty("id").GetString(), replayBody.GetProperty("id").GetString());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await ConsentsGrantedTo(authority.OrganizationId));
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_refused()
    {
        var (unit, authority) = await Parties();
        var key = Guid.NewGuid().ToString();
        await (await unit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["revenue"]), key), Ct)).AssertJson(HttpStatusCode.Created);
        await (await unit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["dcmm_records"]), key), Ct)).AssertProblem(HttpStatusCode.Conflict, "idempotency_conflict");
        Assert.Equal(1, await ConsentsGrantedTo(authority.OrganizationId));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_exactly_one_consent()
    {
        var (unit, authority) = await Parties();
        var body = ConsentFlow.Body(authority.OrganizationId, ["revenue"]);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => unit.SendAsync(Grant(body, key), Ct)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Equal(1, await ConsentsGrantedTo(authority.OrganizationId));
        var settled = await unit.SendAsync(Grant(body, key), Ct);
        Assert.Equal(HttpStatusCode.Created, settled.StatusCode);
    }

    [Fact]
    public async Task Keys_belong_to_one_organisation()
    {
        var (unit, authority) = await Parties();
        using var otherUnit = await api.ClientFor(await api.OrganizationAsync("另一个幂等单位", "source_unit"));
        var key = Guid.NewGuid().ToString();
        await (await unit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["revenue"]), key), Ct)).AssertJson(HttpStatusCode.Created);
        await (await otherUnit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["revenue"]), key), Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(2, await ConsentsGrantedTo(authority.OrganizationId));
    }

    [Fact]
    public async Task A_rejected_first_attempt_is_replayed_as_rejected_and_a_bad_key_is_refused()
    {
        var (unit, authority) = await Parties();
        var key = Guid.NewGuid().ToString();
        var invalid = new { grantee = authority.OrganizationId };
        await (await unit.SendAsync(Grant(invalid, key), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.SendAsync(Grant(invalid, key), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await unit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["revenue"]), "has space"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        await (await unit.SendAsync(Grant(ConsentFlow.Body(authority.OrganizationId, ["revenue"]), new string('k', 201)), Ct)).AssertProblem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        Assert.Equal(0, await ConsentsGrantedTo(authority.OrganizationId));
    }

    [Fact]
    public async Task Without_a_key_each_request_is_its_own()
    {
        var (unit, authority) = await Parties();
        var body = ConsentFlow.Body(authority.OrganizationId, ["revenue"]);
        await (await unit.SendAsync(Grant(body, null), Ct)).AssertJson(HttpStatusCode.Created);
        await (await unit.SendAsync(Grant(body, null), Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(2, await ConsentsGrantedTo(authority.OrganizationId));
    }

    /// <summary>A claim as an API instance leaves it when it dies after claiming the key and before answering.</summary>
    private async Task ClaimAsIfByAnotherInstance(string org, string key, DateTimeOffset leaseUntil, byte[]? fingerprint = null)
    {
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await conn.ExecuteAsync("""
            insert into idempotency_keys (organization_id, key, fingerprint, created_at, lease_until, holder)
            values (@org, @key, @fingerprint, @createdAt, @leaseUntil, @holder)
            """, new
        {
            org = Guid.Parse(org), key, fingerprint = fingerprint ?? new byte[32], createdAt = DateTimeOffset.UtcNow.AddMinutes(-1), leaseUntil, holder = Guid.NewGuid(),
        });
    }

    [Fact]
    public async Task A_claim_whose_holder_died_is_taken_over_once_its_lease_runs_out()
    {
        var unitOrg = await api.OrganizationAsync("崩溃后重试的单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authority = await api.OrganizationAsync("崩溃后重试的主管部门", "authority");
        var body = ConsentFlow.Body(authority.OrganizationId, ["revenue"]);
        var key = Guid.NewGuid().ToString();
        await ClaimAsIfByAnotherInstance(unitOrg.OrganizationId, key, DateTimeOffset.UtcNow.AddSeconds(-5));

        var retried = await (await unit.SendAsync(Grant(body, key), Ct)).AssertJson(HttpStatusCode.Created);
        var replayed = await unit.SendAsync(Grant(body, key), Ct);

        Assert.Equal(retried.GetProperty("id").GetString(), (await replayed.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString());
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await ConsentsGrantedTo(authority.OrganizationId));
    }

    [Fact]
    public async Task A_claim_whose_lease_is_still_running_is_in_progress()
    {
        var unitOrg = await api.OrganizationAsync("租约未到期的单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var authority = await api.OrganizationAsync("租约未到期的主管部门", "authority");
        var key = Guid.NewGuid().ToString();
        var body = JsonSerializer.SerializeToUtf8Bytes(ConsentFlow.Body(authority.OrganizationId, ["revenue"]));
        // The claim is for this very request (same fingerprint: method, path and body), held by a live instance.
        var fingerprint = System.Security.Cryptography.SHA256.HashData([.. "POST /v1/consents\n"u8, .. body]);
        await ClaimAsIfByAnotherInstance(unitOrg.OrganizationId, key, DateTimeOffset.UtcNow.AddMinutes(1), fingerprint);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await unit.SendAsync(request, Ct);

        await response.AssertProblem(HttpStatusCode.Conflict, "idempotency_request_in_progress");
        Assert.Equal(0, await ConsentsGrantedTo(authority.OrganizationId));
    }
}
