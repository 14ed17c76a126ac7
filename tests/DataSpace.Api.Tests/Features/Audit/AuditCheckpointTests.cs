using System.Diagnostics;
using Dapper;
using DataSpace.Api.Features.Audit;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Audit;

/// <summary>What the test's superuser connection does to the chain behind the API's back.</summary>
internal static class Tamper
{
    public static async Task<List<AuditRow>> PartitionAsync(string connectionString, string partition)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        return (await conn.QueryAsync<AuditRow>($"select {AuditChain.Columns} from audit_events where partition = @partition order by partition_seq", new { partition })).AsList();
    }

    public static async Task DeleteAsync(string connectionString, long seq)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.ExecuteAsync("""
            alter table audit_events disable trigger audit_events_append_only;
            delete from audit_events where seq = @seq;
            alter table audit_events enable trigger audit_events_append_only;
            """, new { seq });
    }

    /// <summary>Rewrites one event's details and recomputes its hash and every later hash of its partition, as someone who knows the public canonical form would.</summary>
    public static async Task RewriteAndRehashAsync(string connectionString, string partition, long partitionSeq, string details)
    {
        var rows = await PartitionAsync(connectionString, partition);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("alter table audit_events disable trigger audit_events_append_only", transaction: tx);
        byte[]? prev = null;
        foreach (var row in rows.Where(r => r.PartitionSeq >= partitionSeq))
        {
            var changed = row with { Details = row.PartitionSeq == partitionSeq ? details : row.Details, PrevHash = prev ?? row.PrevHash };
            changed = changed with { Hash = AuditChain.HashOf(changed) };
            await conn.ExecuteAsync("update audit_events set details = @Details, prev_hash = @PrevHash, hash = @Hash where seq = @Seq", changed, tx);
            prev = changed.Hash;
        }

        await conn.ExecuteAsync("alter table audit_events enable trigger audit_events_append_only", transaction: tx);
        await tx.CommitAsync();
    }
}

public sealed class AuditCheckpointTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Credentials Org, HttpClient Unit)> UnitWithEventsAsync(string name, int datasets)
    {
        var org = await api.OrganizationAsync(name, "source_unit");
        var unit = await api.ClientFor(org);
        for (var i = 0; i < datasets; i++)
        {
            await DatasetFlow.CreateAsync(unit);
        }

        return (org, unit);
    }

    private async Task<JsonElement> CheckpointAsync()
    {
        using var op = await api.OperatorClient();
        var response = await op.PostAsync("/v1/audit/checkpoints", null, Ct);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"POST /v1/audit/checkpoints answered {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("checkpoint");
    }

    [Fact]
    public async Task A_checkpoint_verifies_offline_with_openssl_over_the_published_bytes()
    {
        var (_, unit) = await UnitWithEventsAsync("锚定数源单位", 2);
        using (unit)
        {
            var number = (await CheckpointAsync()).GetProperty("number").GetInt64();
            using var anyone = api.Anonymous();
            var latest = await (await anyone.GetAsync("/v1/audit/checkpoints/latest", Ct)).AssertJson();
            Assert.Equal(number, latest.GetProperty("number").GetInt64());
            var message = await anyone.GetByteArrayAsync(latest.GetProperty("message_url").GetString(), Ct);
            var signature = await anyone.GetByteArrayAsync(latest.GetProperty("signature_url").GetString(), Ct);
            var key = await anyone.GetStringAsync("/v1/audit/public-key", Ct);
            Assert.Equal(message, System.Text.Encoding.UTF8.GetBytes(latest.GetProperty("message").GetString()!));
            Assert.Equal(signature, Convert.FromBase64String(latest.GetProperty("signature").GetString()!));
            Assert.StartsWith("dataspace-audit-checkpoint-v1\n", latest.GetProperty("message").GetString(), StringComparison.Ordinal);

            var folder = Directory.CreateTempSubdirectory("dataspace-checkpoint-").FullName;
            try
            {
                await File.WriteAllTextAsync(Path.Combine(folder, "key.pem"), key, Ct);
                await File.WriteAllBytesAsync(Path.Combine(folder, "message"), message, Ct);
                await File.WriteAllBytesAsync(Path.Combine(folder, "sig"), signature, Ct);
                var (ok, output) = await OpensslVerifyAsync(folder, "message");
                Assert.True(ok, output);
                Assert.Contains("Signature Verified Successfully", output, StringComparison.Ordinal);

                // The same check refuses a message with one byte changed: openssl really is checking these bytes.
                message[^2] ^= 1;
                await File.WriteAllBytesAsync(Path.Combine(folder, "forged"), message, Ct);
                var (forgedOk, _) = await OpensslVerifyAsync(folder, "forged");
                Assert.False(forgedOk);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Task<(bool Ok, string Output)> OpensslVerifyAsync(string folder, string message) =>
        OpensslTool.RunAsync(folder, ["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", message, "-sigfile", "sig"], Ct);

    [Fact]
    public async Task The_checkpoint_table_refuses_update_delete_and_truncate()
    {
        var (_, unit) = await UnitWithEventsAsync("只增锚点数源单位", 1);
        unit.Dispose();
        await CheckpointAsync();
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("update audit_checkpoints set events = 0"));
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("delete from audit_checkpoints"));
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("truncate audit_checkpoints"));
    }

    [Fact]
    public async Task Checkpoints_are_public_and_only_the_operator_or_the_bureau_signs_one_on_demand()
    {
        var (org, unit) = await UnitWithEventsAsync("公开锚点数源单位", 1);
        using (unit)
        {
            using var anyone = api.Anonymous();
            await (await anyone.PostAsync("/v1/audit/checkpoints", null, Ct)).AssertProblem(HttpStatusCode.Unauthorized, "authentication_required");
            await (await unit.PostAsync("/v1/audit/checkpoints", null, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
            using var bureau = await api.ClientFor(await api.OrganizationAsync("锚点数据局", "data_bureau"));
            var created = await bureau.PostAsync("/v1/audit/checkpoints", null, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(body.GetProperty("created").GetBoolean());
            var number = body.GetProperty("checkpoint").GetProperty("number").GetInt64();
            Assert.Equal($"/v1/audit/checkpoints/{number}", created.Headers.Location?.OriginalString);
            Assert.Contains($"\n{org.OrganizationId} ", body.GetProperty("checkpoint").GetProperty("message").GetString(), StringComparison.Ordinal);

            // Nothing appended since: the latest checkpoint is answered, not a copy of it.
            var again = await (await bureau.PostAsync("/v1/audit/checkpoints", null, Ct)).AssertJson();
            Assert.False(again.GetProperty("created").GetBoolean());
            Assert.Equal(number, again.GetProperty("checkpoint").GetProperty("number").GetInt64());

            var list = await (await anyone.GetAsync("/v1/audit/checkpoints?limit=100", Ct)).AssertJson();
            Assert.Equal(number, list.GetProperty("items")[0].GetProperty("number").GetInt64());
            Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync($"/v1/audit/checkpoints/{number}", Ct)).StatusCode);
            await (await anyone.GetAsync("/v1/audit/checkpoints/999999", Ct)).AssertProblem(HttpStatusCode.NotFound, "audit_checkpoint_not_found");
            await (await anyone.GetAsync("/v1/audit/checkpoints?limit=0", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
            await (await unit.GetAsync("/v1/audit/verify?from=yesterday", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

            var verified = await (await unit.GetAsync("/v1/audit/verify", Ct)).AssertJson();
            Assert.True(verified.GetProperty("valid").GetBoolean());
            Assert.Equal(number, verified.GetProperty("checkpoint").GetInt64());
        }
    }
}

/// <summary>Each tamper test breaks its own chain, so each has its own fixture.</summary>
public sealed class AuditTruncationTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task Deleting_the_newest_event_after_a_checkpoint_is_reported_by_verify()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("被截断的数源单位", "source_unit");
        using var unit = await api.ClientFor(org);
        for (var i = 0; i < 3; i++)
        {
            await DatasetFlow.CreateAsync(unit);
        }

        using var op = await api.OperatorClient();
        Assert.Equal(HttpStatusCode.Created, (await op.PostAsync("/v1/audit/checkpoints", null, ct)).StatusCode);
        var newest = (await Tamper.PartitionAsync(api.ConnectionString, org.OrganizationId))[^1];
        await Tamper.DeleteAsync(api.ConnectionString, newest.Seq);

        foreach (var from in new[] { "checkpoint", "genesis" })
        {
            var after = await (await unit.GetAsync($"/v1/audit/verify?from={from}", ct)).AssertJson();
            Assert.False(after.GetProperty("valid").GetBoolean());
            Assert.Equal(newest.Seq, after.GetProperty("first_broken_seq").GetInt64());
            Assert.Equal(org.OrganizationId, after.GetProperty("broken_partition").GetString());
            Assert.Contains("missing", after.GetProperty("problem").GetString(), StringComparison.Ordinal);
        }

        // A broken chain is never signed over.
        await (await op.PostAsync("/v1/audit/checkpoints", null, ct)).AssertProblem(HttpStatusCode.Conflict, "audit_chain_broken");
        var latest = await (await api.Anonymous().GetAsync("/v1/audit/checkpoints/latest", ct)).AssertJson();
        Assert.Equal(1, latest.GetProperty("number").GetInt64());
    }
}

public sealed class AuditRewriteTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task Rewriting_a_covered_event_and_recomputing_every_later_hash_is_reported_by_verify()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("被改写的数源单位", "source_unit");
        using var unit = await api.ClientFor(org);
        for (var i = 0; i < 4; i++)
        {
            await DatasetFlow.CreateAsync(unit);
        }

        using var op = await api.OperatorClient();
        Assert.Equal(HttpStatusCode.Created, (await op.PostAsync("/v1/audit/checkpoints", null, ct)).StatusCode);
        // Events after the checkpoint are walked as before.
        await DatasetFlow.CreateAsync(unit);
        var before = await (await unit.GetAsync("/v1/audit/verify", ct)).AssertJson();
        Assert.True(before.GetProperty("valid").GetBoolean(), before.GetRawText());

        await Tamper.RewriteAndRehashAsync(api.ConnectionString, org.OrganizationId, 2, """{"title":"从未登记过的数据集"}""");
        var rows = await Tamper.PartitionAsync(api.ConnectionString, org.OrganizationId);
        Assert.All(rows, r => Assert.Equal(r.Hash, AuditChain.HashOf(r))); // the rewrite is consistent: every link holds

        foreach (var from in new[] { "checkpoint", "genesis" })
        {
            var after = await (await unit.GetAsync($"/v1/audit/verify?from={from}", ct)).AssertJson();
            Assert.False(after.GetProperty("valid").GetBoolean());
            Assert.Equal(org.OrganizationId, after.GetProperty("broken_partition").GetString());
            Assert.Contains("rewritten", after.GetProperty("problem").GetString(), StringComparison.Ordinal);
        }
    }
}

public sealed class AuditPartitionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Fact]
    public async Task An_append_about_one_organisation_does_not_wait_for_an_open_append_about_another()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = NpgsqlDataSource.Create(api.ConnectionString);
        var chain = new AuditChain(db, TimeProvider.System);
        var actor = new AuditActor(null, "test", "partitions");
        Guid a = Guid.CreateVersion7(), b = Guid.CreateVersion7();

        await using var holder = await db.OpenConnectionAsync(ct);
        await using var held = await holder.BeginTransactionAsync(ct);
        await chain.AppendAsync(holder, held, new AuditEntry(actor, a, "test", "a-1", "appended"), ct);

        // Another writer about A waits for the open transaction (its partition is locked) ...
        var sameTask = AppendCommittedAsync(db, chain, new AuditEntry(actor, a, "test", "a-2", "appended"), ct);
        await using (var probe = await db.OpenConnectionAsync(ct))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await probe.ExecuteScalarAsync<long>("select count(*) from pg_locks where locktype = 'advisory' and not granted") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the second writer about A never queued for A's partition");
                await Task.Delay(10, ct);
            }
        }

        // ... while a writer about B commits without waiting (under one global lock this never returned).
        var otherTask = AppendCommittedAsync(db, chain, new AuditEntry(actor, b, "test", "b-1", "appended"), ct);
        Assert.Same(otherTask, await Task.WhenAny(otherTask, Task.Delay(TimeSpan.FromSeconds(120), ct))); // hang detector
        await otherTask;
        Assert.False(sameTask.IsCompleted);

        await held.CommitAsync(ct);
        await sameTask;

        var rowsA = await Tamper.PartitionAsync(api.ConnectionString, a.ToString());
        var rowsB = await Tamper.PartitionAsync(api.ConnectionString, b.ToString());
        Assert.Equal([1L, 2L], rowsA.Select(r => r.PartitionSeq));
        Assert.Equal(["a-1", "a-2"], rowsA.Select(r => r.ObjectId));
        Assert.Equal(rowsA[0].Hash, rowsA[1].PrevHash);
        Assert.Equal(AuditChain.GenesisOf(a.ToString()), rowsA[0].PrevHash);
        Assert.Equal([1L], rowsB.Select(r => r.PartitionSeq));
        Assert.Null((await chain.VerifyAsync(ct)).FirstBrokenSeq);
    }

    private static async Task AppendCommittedAsync(NpgsqlDataSource db, AuditChain chain, AuditEntry entry, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await chain.AppendAsync(conn, tx, entry, ct);
        await tx.CommitAsync(ct);
    }

    [Fact]
    public async Task Owners_list_their_partition_in_order_and_each_event_names_its_place()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("分区数源单位", "source_unit");
        using var unit = await api.ClientFor(org);
        for (var i = 0; i < 3; i++)
        {
            await DatasetFlow.CreateAsync(unit);
        }

        var items = (await (await unit.GetAsync("/v1/audit?limit=100", ct)).AssertJson()).GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 4); // registered by the operator, then three datasets
        Assert.All(items, e => Assert.Equal(org.OrganizationId, e.GetProperty("partition").GetString()));
        Assert.Equal(Enumerable.Range(1, items.Count).Select(i => (long)i), items.Select(e => e.GetProperty("partition_seq").GetInt64()));
        Assert.Equal(items.Select(e => e.GetProperty("seq").GetInt64()).Order(), items.Select(e => e.GetProperty("seq").GetInt64()));
        for (var i = 1; i < items.Count; i++)
        {
            Assert.Equal(items[i - 1].GetProperty("hash").GetString(), items[i].GetProperty("prev_hash").GetString());
        }
    }
}

public sealed class AuditCheckpointServiceTests : IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("dataspace-keys-").FullName;
    private readonly DataSpaceApiFactory _api = new();

    public async ValueTask InitializeAsync()
    {
        _api.WithSetting("Audit:Checkpoints:Interval", "00:00:01").WithSetting("Audit:Checkpoints:KeyFolder", _keys);
        await _api.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task The_service_signs_a_checkpoint_over_new_events_at_each_interval_with_a_key_it_generated_mode_600()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await _api.OrganizationAsync("定时锚点数源单位", "source_unit");
        using var unit = await _api.ClientFor(org);
        await DatasetFlow.CreateAsync(unit);
        var events = (await (await unit.GetAsync("/v1/audit?limit=100", ct)).AssertJson()).GetProperty("items").GetArrayLength();

        using var anyone = _api.Anonymous();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement latest;
        while (true)
        {
            var response = await anyone.GetAsync("/v1/audit/checkpoints/latest", ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                latest = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (latest.GetProperty("message").GetString()!.Contains($"\n{org.OrganizationId} {events} ", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "no checkpoint covering the unit's events was signed");
            await Task.Delay(100, ct);
        }

        // The platform's two signing keys: this one, and the SM2 key of listing certificates, both generated mode 600.
        var keyFiles = Directory.GetFiles(_keys, "*.pem").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["audit-checkpoint-ed25519.pem", "listing-certificate-sm2.pem"], keyFiles.Select(Path.GetFileName));
        foreach (var file in keyFiles.Where(_ => !OperatingSystem.IsWindows()))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var keyFile = keyFiles[0];

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(keyFile, ct), StringComparison.Ordinal);
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "pkey", "-in", keyFile, "-pubout" })
        {
            start.ArgumentList.Add(arg);
        }

        using var openssl = Process.Start(start)!;
        var derived = await openssl.StandardOutput.ReadToEndAsync(ct);
        await openssl.WaitForExitAsync(ct);
        Assert.Equal(derived.Trim(), (await anyone.GetStringAsync("/v1/audit/public-key", ct)).Trim());
    }
}

public sealed class AuditKeyRotationTests : IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("dataspace-rotation-").FullName;
    private readonly DataSpaceApiFactory _api = new();

    public async ValueTask InitializeAsync()
    {
        _api.WithSetting("Audit:Checkpoints:KeyFolder", Path.Combine(_keys, "old"));
        await _api.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task After_a_key_rotation_the_old_keys_last_checkpoint_anchors_the_new_one_only_when_its_public_key_is_trusted()
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await _api.OrganizationAsync("换钥数源单位", "source_unit");
        using (var unit = await _api.ClientFor(org))
        {
            await DatasetFlow.CreateAsync(unit);
        }

        using (var op = await _api.OperatorClient())
        {
            Assert.Equal(HttpStatusCode.Created, (await op.PostAsync("/v1/audit/checkpoints", null, ct)).StatusCode);
        }

        var retired = Path.Combine(_keys, "old.pub.pem");
        await File.WriteAllTextAsync(retired, await _api.Anonymous().GetStringAsync("/v1/audit/public-key", ct), ct);

        // A new key that does not know the old one cannot verify, so it refuses to sign.
        await using (var untrusting = new DataSpaceApiFactory().SharingStateOf(_api).WithSetting("Audit:Checkpoints:KeyFolder", Path.Combine(_keys, "new")))
        {
            await untrusting.InitializeAsync();
            using var op = await untrusting.OperatorClient();
            var verify = await (await op.GetAsync("/v1/audit/verify", ct)).AssertJson();
            Assert.False(verify.GetProperty("valid").GetBoolean());
            Assert.Contains("does not trust", verify.GetProperty("problem").GetString(), StringComparison.Ordinal);
            await (await op.PostAsync("/v1/audit/checkpoints", null, ct)).AssertProblem(HttpStatusCode.Conflict, "audit_chain_broken");
        }

        await using var rotated = new DataSpaceApiFactory().SharingStateOf(_api)
            .WithSetting("Audit:Checkpoints:KeyFolder", Path.Combine(_keys, "new"))
            .WithSetting("Audit:Checkpoints:RetiredPublicKeyPaths:0", retired);
        await rotated.InitializeAsync();
        using (var unit = await rotated.ClientFor(await rotated.OrganizationAsync("换钥后数源单位", "source_unit")))
        {
            await DatasetFlow.CreateAsync(unit);
        }

        using var rotatedOp = await rotated.OperatorClient();
        Assert.True((await (await rotatedOp.GetAsync("/v1/audit/verify", ct)).AssertJson()).GetProperty("valid").GetBoolean());
        var created = await rotatedOp.PostAsync("/v1/audit/checkpoints", null, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var second = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("checkpoint");
        var first = await (await rotated.Anonymous().GetAsync("/v1/audit/checkpoints/1", ct)).AssertJson();
        Assert.Equal(2, second.GetProperty("number").GetInt64());
        Assert.NotEqual(first.GetProperty("key_id").GetString(), second.GetProperty("key_id").GetString());
        Assert.Contains($"previous {first.GetProperty("message_sha256").GetString()}\n", second.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True((await (await rotatedOp.GetAsync("/v1/audit/verify", ct)).AssertJson()).GetProperty("valid").GetBoolean());
    }
}
