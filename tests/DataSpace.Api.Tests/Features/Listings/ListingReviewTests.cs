using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataSpace.Api.Tests.Features.Listings;

/// <summary>
/// Issue 17's listing review end to end over HTTP: a registered assessor, invited for one version, reports bound to its
/// manifest; the unit applies; the reviewer puts it on public notice; an objection is filed and resolved; verification
/// issues a certificate signed with SM2/SM3 and Ed25519 that openssl verifies over bytes the npm canonicalize package
/// re-canonicalised; then the paid dataset publishes and sells. Every refusal has its code.
/// </summary>
public sealed class ListingReviewTests(ListingApiFactory fixture) : IClassFixture<ListingApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private DataSpaceApiFactory Api => fixture.Api;
    private static readonly byte[] Csv = "月份,出口额,国家\n2026-01,100,美国\n2026-02,,德国\n"u8.ToArray();

    private sealed record Setup(HttpClient Owner, HttpClient Assessor, string AssessorId, HttpClient Reviewer, string Dataset, string Manifest, Credentials OwnerOrg, Credentials ReviewerOrg, Credentials AssessorOrg)
    {
        /// <summary>After the test clock moves past the tokens' lifetime: the same organisations with new tokens.</summary>
        public async Task<Setup> RenewedAsync(DataSpaceApiFactory api) => this with { Owner = await api.ClientFor(OwnerOrg), Reviewer = await api.ClientFor(ReviewerOrg), Assessor = await api.ClientFor(AssessorOrg) };
    }

    private string Today(int plusDays = 0) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Api.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).AddDays(plusDays).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A unit with a paid draft dataset (one committed version), a registered assessor for compliance and quality, and the bureau.</summary>
    private async Task<Setup> SetUpAsync(string access = "paid")
    {
        var ownerOrg = await Api.OrganizationAsync("挂牌数源单位", "source_unit");
        var owner = await Api.ClientFor(ownerOrg);
        var assessorOrg = await Api.OrganizationAsync("广东数据合规评估事务所", "assessor");
        var assessor = await Api.ClientFor(assessorOrg);
        var op = await Api.OperatorClient();
        var registered = await (await op.PostAsJsonAsync("/v1/assessors", new { organization_id = assessorOrg.OrganizationId, kinds = new[] { "compliance", "quality" } }, Ct)).AssertJson();
        Assert.Equal(["compliance", "quality"], registered.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        var reviewerOrg = await Api.OrganizationAsync("挂牌审核数据局", "data_bureau");
        var reviewer = await Api.ClientFor(reviewerOrg);

        var fields = DatasetFlow.ValidFields("挂牌数据集 " + Guid.NewGuid().ToString("N")[..6], access);
        var dataset = await DatasetFlow.CreateAsync(owner, fields);
        var version = await DatasetFlow.OpenVersionAsync(owner, dataset);
        await (await DatasetFlow.UploadAsync(owner, dataset, version, "出口.csv", Csv)).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(owner, dataset, version);
        var manifest = (await (await owner.GetAsync($"/v1/datasets/{dataset}/versions/1", Ct)).AssertJson()).GetProperty("manifest_sha256").GetString()!;
        return new Setup(owner, assessor, assessorOrg.OrganizationId, reviewer, dataset, manifest, ownerOrg, reviewerOrg, assessorOrg);
    }

    private static async Task<string> InviteAsync(Setup s, string kind, int version = 1) =>
        (await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/assessment-invitations", new { version, assessor_id = s.AssessorId, kind }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static object Report(string manifest, string validUntil, string grade = "A") => new
    {
        manifest_sha256 = manifest,
        grade,
        conclusion = "数据来源合法，处理合规，可流通交易。",
        report_number = "GDHG-2026-" + Guid.NewGuid().ToString("N")[..4],
        document_sha256 = DatasetFlow.Sha256Hex(Guid.NewGuid().ToByteArray()),
        valid_until = validUntil,
    };

    private static Task<HttpResponseMessage> ReportAsync(Setup s, string kind, object report, int version = 1) =>
        s.Assessor.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/versions/{version}/assessment-reports?kind={kind}", report, Ct);

    private async Task<(string Compliance, string Quality)> ReportsAsync(Setup s, int validDays = 180)
    {
        await InviteAsync(s, "compliance");
        await InviteAsync(s, "quality");
        var compliance = (await (await ReportAsync(s, "compliance", Report(s.Manifest, Today(validDays)))).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var quality = (await (await ReportAsync(s, "quality", Report(s.Manifest, Today(validDays), "B+"))).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        return (compliance, quality);
    }

    private static object Application(string compliance, string quality) => new
    {
        version = 1,
        product_description = "古镇灯饰出口月度明细数据产品说明书：覆盖 2020–2025 年，按国家、品类统计。",
        scenarios = new[] { "出口趋势预测模型训练", "海外市场选址分析" },
        compliance_report_id = compliance,
        quality_report_id = quality,
    };

    private static async Task<string> ApplyAndSubmitAsync(Setup s, string compliance, string quality)
    {
        var listing = (await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/listings", Application(compliance, quality), Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await (await s.Owner.PostAsync($"/v1/listings/{listing}/submit", null, Ct)).AssertJson();
        return listing;
    }

    /// <summary>A set-up dataset assessed, applied for and verified without a notice: its listing and certificate number.</summary>
    private async Task<(Setup S, string Listing, string Number)> ListedAsync()
    {
        var s = await SetUpAsync();
        var (compliance, quality) = await ReportsAsync(s);
        var listing = await ApplyAndSubmitAsync(s, compliance, quality);
        var number = (await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertJson()).GetProperty("certificate_number").GetString()!;
        return (s, listing, number);
    }

    [Fact]
    public async Task A_paid_dataset_is_listed_after_assessment_notice_objection_and_review_then_publishes_and_sells()
    {
        var s = await SetUpAsync();
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "listing_review_required");

        // Not invited yet: the assessor cannot report; once invited it reads the manifest and profiles of a draft dataset.
        await (await ReportAsync(s, "compliance", Report(s.Manifest, Today(180)))).AssertProblem(HttpStatusCode.Forbidden, "assessor_not_invited");
        var invitation = await InviteAsync(s, "compliance");
        Assert.Equal(invitation, await InviteAsync(s, "compliance"));
        await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/assessment-invitations", new { version = 1, assessor_id = s.AssessorId, kind = "valuation" }, Ct))
            .AssertProblem(HttpStatusCode.Conflict, "assessment_kind_not_registered");
        var seen = await (await s.Assessor.GetAsync($"/v1/assessment-invitations/{invitation}/version", Ct)).AssertJson();
        Assert.Equal(s.Manifest, seen.GetProperty("manifest_sha256").GetString());
        Assert.Equal("出口.csv", seen.GetProperty("files")[0].GetProperty("path").GetString());
        await (await s.Assessor.GetAsync($"/v1/datasets/{s.Dataset}", Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");

        // A report for another manifest does not count.
        await (await ReportAsync(s, "compliance", Report(new string('a', 64), Today(180)))).AssertProblem(HttpStatusCode.Conflict, "manifest_mismatch");
        var (compliance, quality) = await ReportsAsync(s);

        var created = await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/listings", Application(compliance, quality), Ct)).AssertJson(HttpStatusCode.Created);
        var listing = created.GetProperty("id").GetString()!;
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal(s.Manifest, created.GetProperty("manifest_sha256").GetString());
        Assert.Equal("monthly", created.GetProperty("quality").GetProperty("update_frequency").GetString());
        Assert.Contains(created.GetProperty("source_legality").EnumerateArray(), step => step.GetProperty("aspect").GetString() == "product_operation"
            && step.GetProperty("holder").GetString() == "中山市古镇灯饰数据科技有限公司");
        await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/listings", Application(compliance, quality), Ct)).AssertProblem(HttpStatusCode.Conflict, "listing_exists");
        await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "listing_not_found");
        await (await s.Owner.PostAsync($"/v1/listings/{listing}/submit", null, Ct)).AssertJson();

        // Public notice: an outsider objects; the reviewer cannot verify while the notice runs or an objection is open.
        await (await s.Reviewer.PostAsJsonAsync($"/v1/review/listings/{listing}/notice", new { days = 7 }, Ct)).AssertJson();
        var objectorOrg = await Api.OrganizationAsync("异议模型方", "model_builder");
        var objector = await Api.ClientFor(objectorOrg);
        var noticed = await (await objector.GetAsync("/v1/listings", Ct)).AssertJson();
        Assert.Contains(noticed.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == listing);
        var objected = await (await objector.PostAsJsonAsync($"/v1/listings/{listing}/objections", new { reasons = "该数据含我方客户名单，来源存疑。" }, Ct)).AssertJson(HttpStatusCode.Created);
        var objection = objected.GetProperty("objections")[0].GetProperty("id").GetString()!;
        await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "notice_period_running");
        Api.Clock.Advance(TimeSpan.FromDays(8));
        (s, objector) = (await s.RenewedAsync(Api), await Api.ClientFor(objectorOrg));
        await (await objector.PostAsJsonAsync($"/v1/listings/{listing}/objections", new { reasons = "迟到的异议" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "notice_not_open");
        await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "objection_open");
        var resolved = await (await s.Reviewer.PostAsJsonAsync($"/v1/review/listings/{listing}/objections/{objection}/resolve",
            new { outcome = "dismissed", resolution = "核查授权链：客户名单已脱敏，来源合法。" }, Ct)).AssertJson();
        Assert.Equal("dismissed", resolved.GetProperty("objections")[0].GetProperty("status").GetString());

        var verified = await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertJson();
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        var number = verified.GetProperty("certificate_number").GetString()!;

        var certificate = await (await Api.Anonymous().GetAsync($"/v1/certificates/{number}", Ct)).AssertJson();
        Assert.Equal("valid", certificate.GetProperty("status").GetString());
        var body = certificate.GetProperty("certificate");
        Assert.Equal(s.Manifest, body.GetProperty("version").GetProperty("manifest_sha256").GetString());
        Assert.Equal(["compliance", "quality"], body.GetProperty("assessments").EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        Assert.Equal("B+", body.GetProperty("grade").GetString());

        // Listed: the paid dataset publishes and sells.
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertJson();
        var (terms, plan) = await OrderFlow.OfferAsync(s.Owner, s.Dataset, 88_800);
        var buyer = await Api.ClientFor(await Api.OrganizationAsync("挂牌后购买方", "model_builder"));
        await OrderFlow.AcceptAsync(buyer, s.Dataset, terms);
        var order = await OrderFlow.PlaceAsync(buyer, plan);
        await (await (await Api.OperatorClient()).PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 88_800, reference = "LIST-" + order }, Ct)).AssertJson();
        var download = await buyer.GetAsync(DatasetFlow.FileUrl(s.Dataset, 1, "出口.csv"), Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Csv, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task An_assessor_invited_with_files_downloads_only_the_invited_version_and_without_files_is_refused()
    {
        var s = await SetUpAsync();
        var file = $"/v1/datasets/{s.Dataset}/versions/1/files/{Uri.EscapeDataString("出口.csv")}";

        // Invited from the manifest only: the files stay closed, with a code that says why.
        var invitation = await InviteAsync(s, "compliance");
        await (await s.Assessor.GetAsync(file, Ct)).AssertProblem(HttpStatusCode.Forbidden, "assessment_files_not_allowed");

        // Invited with files for version 1: that version's bytes, GET and HEAD, of a draft dataset.
        var withFiles = await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/assessment-invitations",
            new { version = 1, assessor_id = s.AssessorId, kind = "quality", allow_files = true }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.True(withFiles.GetProperty("allow_files").GetBoolean());
        var got = await s.Assessor.GetAsync(file, Ct);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(Csv, await got.Content.ReadAsByteArrayAsync(Ct));
        var head = await s.Assessor.SendAsync(new HttpRequestMessage(HttpMethod.Head, file), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        // Another version is not invited.
        var second = await DatasetFlow.OpenVersionAsync(s.Owner, s.Dataset);
        await (await DatasetFlow.UploadAsync(s.Owner, s.Dataset, second, "出口.csv", "月份,出口额\n2026-03,7\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(s.Owner, s.Dataset, second);
        await (await s.Assessor.GetAsync($"/v1/datasets/{s.Dataset}/versions/2/files/{Uri.EscapeDataString("出口.csv")}", Ct))
            .AssertProblem(HttpStatusCode.Forbidden, "assessment_version_not_invited");

        // An organisation that was not invited still does not see the draft at all.
        var stranger = await Api.ClientFor(await Api.OrganizationAsync("未受邀评估机构", "assessor"));
        await (await stranger.GetAsync(file, Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        Assert.NotEmpty(invitation);
    }

    [Fact]
    public async Task An_open_dataset_without_personal_information_still_publishes_in_one_step()
    {
        var s = await SetUpAsync("open");
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertJson();
    }

    [Fact]
    public async Task An_expired_report_stops_submission_and_a_report_of_another_version_does_not_count()
    {
        var s = await SetUpAsync();
        var (compliance, quality) = await ReportsAsync(s, validDays: 1);
        var listing = (await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/listings", Application(compliance, quality), Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        Api.Clock.Advance(TimeSpan.FromDays(3));
        s = await s.RenewedAsync(Api);
        await (await s.Owner.PostAsync($"/v1/listings/{listing}/submit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "assessment_report_expired");
        Assert.Equal("draft", (await (await s.Owner.GetAsync($"/v1/listings/{listing}", Ct)).AssertJson()).GetProperty("status").GetString());

        // Version 2 has another manifest: version 1's reports do not support an application for it.
        var v2 = await DatasetFlow.OpenVersionAsync(s.Owner, s.Dataset, "第二版");
        await (await DatasetFlow.UploadAsync(s.Owner, s.Dataset, v2, "出口.csv", "月份,出口额\n2026-03,5\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(s.Owner, s.Dataset, v2);
        var fresh = await ReportsAsync(s);
        var application = new { version = 2, product_description = "第二版说明书", scenarios = new[] { "训练" }, compliance_report_id = fresh.Compliance, quality_report_id = fresh.Quality };
        await (await s.Owner.PutAsJsonAsync($"/v1/listings/{listing}", application, Ct)).AssertProblem(HttpStatusCode.Conflict, "manifest_mismatch");
    }

    [Fact]
    public async Task The_certificate_verifies_with_openssl_over_independently_canonicalised_bytes_and_a_revoked_one_answers_revoked()
    {
        var (s, listing, number) = await ListedAsync();

        var anonymous = Api.Anonymous();
        var answer = await (await anonymous.GetAsync($"/v1/certificates/{number}", Ct)).AssertJson();
        var keys = (await (await anonymous.GetAsync("/v1/certificates/keys", Ct)).AssertJson()).EnumerateArray().ToDictionary(k => k.GetProperty("algorithm").GetString()!);
        var signatures = answer.GetProperty("signatures").EnumerateArray().ToDictionary(k => k.GetProperty("algorithm").GetString()!);
        var folder = TestEnvironment.Scratch("certificate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "certificate.json"), answer.GetProperty("certificate").GetRawText(), Ct);
            var node = await NodeTool.RunAsync("canonicalize", ["tools/jcs-canonicalize.mjs", Path.Combine(folder, "certificate.json"), Path.Combine(folder, "canonical.bin")], Ct);
            Assert.True(node.ExitCode == 0, node.Stderr);
            var canonical = await File.ReadAllBytesAsync(Path.Combine(folder, "canonical.bin"), Ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "schema.json"), await anonymous.GetStringAsync("/v1/certificates/schema", Ct), Ct);
            var schemaCheck = await NodeTool.RunAsync("ajv", ["tools/json-schema-check.mjs", Path.Combine(folder, "schema.json"), Path.Combine(folder, "certificate.json")], Ct);
            Assert.True(schemaCheck.ExitCode == 0, schemaCheck.Stderr + schemaCheck.Stdout);
            Assert.Equal(canonical, await anonymous.GetByteArrayAsync($"/v1/certificates/{number}/canonical", Ct));

            foreach (var (algorithm, file) in new[] { ("SM2-SM3", "sm2"), ("Ed25519", "ed25519") })
            {
                Assert.Equal(keys[algorithm].GetProperty("key_id").GetString(), signatures[algorithm].GetProperty("key_id").GetString());
                await File.WriteAllTextAsync(Path.Combine(folder, file + ".pub"), keys[algorithm].GetProperty("public_key_pem").GetString(), Ct);
                await File.WriteAllBytesAsync(Path.Combine(folder, file + ".sig"), Convert.FromBase64String(signatures[algorithm].GetProperty("value").GetString()!), Ct);
            }

            string[] sm2 = ["-digest", "sm3", "-pkeyopt", "distid:" + keys["SM2-SM3"].GetProperty("distinguishing_id").GetString()];
            var (sm2Ok, sm2Output) = await OpensslVerifyAsync(folder, "sm2", "canonical.bin", sm2);
            Assert.True(sm2Ok, sm2Output);
            var (edOk, edOutput) = await OpensslVerifyAsync(folder, "ed25519", "canonical.bin", []);
            Assert.True(edOk, edOutput);

            // One changed byte (the grade) fails both.
            var tampered = JsonNode.Parse(answer.GetProperty("certificate").GetRawText())!;
            tampered["grade"] = "A+";
            await File.WriteAllTextAsync(Path.Combine(folder, "tampered.json"), tampered.ToJsonString(), Ct);
            await NodeTool.RunAsync("canonicalize", ["tools/jcs-canonicalize.mjs", Path.Combine(folder, "tampered.json"), Path.Combine(folder, "tampered.bin")], Ct);
            Assert.False((await OpensslVerifyAsync(folder, "sm2", "tampered.bin", sm2)).Ok);
            Assert.False((await OpensslVerifyAsync(folder, "ed25519", "tampered.bin", [])).Ok);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        await (await s.Owner.PostAsJsonAsync($"/v1/review/listings/{listing}/revoke", new { reason = "x" }, Ct)).AssertProblem(HttpStatusCode.Forbidden, "role_required");
        var revoked = await (await s.Reviewer.PostAsJsonAsync($"/v1/review/listings/{listing}/revoke", new { reason = "数据来源授权被撤销" }, Ct)).AssertJson();
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        var after = await (await anonymous.GetAsync($"/v1/certificates/{number}", Ct)).AssertJson();
        Assert.Equal("revoked", after.GetProperty("status").GetString());
        Assert.Equal("数据来源授权被撤销", after.GetProperty("revoked_reason").GetString());
        // The signed bytes never change: a revoked certificate still verifies as a signature, and answers revoked.
        Assert.Equal(answer.GetProperty("certificate").GetRawText(), after.GetProperty("certificate").GetRawText());
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "listing_review_required");
        await (await anonymous.GetAsync("/v1/certificates/DSL-2000-000000", Ct)).AssertProblem(HttpStatusCode.NotFound, "certificate_not_found");
        var schema = await (await anonymous.GetAsync("/v1/certificates/schema", Ct)).AssertJson();
        Assert.Equal("dataspace.listing_certificate.v1", schema.GetProperty("properties").GetProperty("type").GetProperty("const").GetString());
    }

    [Fact]
    public async Task A_reward_policy_requiring_a_listing_certificate_qualifies_only_certified_datasets_and_names_the_certificate()
    {
        var (s, listing, number) = await ListedAsync();
        // A second dataset of the same unit, never listed.
        var unlisted = await DatasetFlow.CreateAsync(s.Owner, DatasetFlow.ValidFields("未挂牌数据集 " + Guid.NewGuid().ToString("N")[..6], "paid"));
        var version = await DatasetFlow.OpenVersionAsync(s.Owner, unlisted);
        await (await DatasetFlow.UploadAsync(s.Owner, unlisted, version, "出口.csv", Csv)).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(s.Owner, unlisted, version);
        var now = Api.Clock.GetUtcNow();
        await ConsentFlow.GrantAsync(s.Owner, ConsentFlow.Body(s.ReviewerOrg.OrganizationId, ["revenue", "usage_statistics"], null, now.AddMinutes(-1), now.AddYears(1)));

        var bureau = s.Reviewer;
        object PolicyBody(object? require) => new
        {
            name = "挂牌凭证达标", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
            require_listing_certificate = require,
        };
        var policy = await (await bureau.PostAsJsonAsync("/v1/reward-policies", PolicyBody(true), Ct)).AssertJson(HttpStatusCode.Created);
        Assert.True(policy.GetProperty("require_listing_certificate").GetBoolean());
        var plain = await (await bureau.PostAsJsonAsync("/v1/reward-policies", PolicyBody(null), Ct)).AssertJson(HttpStatusCode.Created);
        Assert.False(plain.GetProperty("require_listing_certificate").GetBoolean());
        await (await bureau.PostAsJsonAsync("/v1/reward-policies", PolicyBody("yes"), Ct)).AssertProblem(HttpStatusCode.BadRequest, "malformed_json");

        async Task<(string Run, Dictionary<string, JsonElement> Certificate, Dictionary<string, JsonElement> Line)> RunAsync(JsonElement p)
        {
            var run = (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = p.GetProperty("id").GetString(), period_from = Today(-30), period_to = Today(30) }, Ct))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
            var lines = (await RewardFlow.LinesAsync(bureau, run)).ToDictionary(l => l.GetProperty("dataset_id").GetString()!);
            return (run, lines.ToDictionary(l => l.Key, l => l.Value.GetProperty("criteria").EnumerateArray().SingleOrDefault(c => c.GetProperty("criterion").GetString() == "listing_certificate")),
                lines);
        }

        var (first, certificate, line) = await RunAsync(policy);
        Assert.Equal((1L, 1L, true, "ok", number), (certificate[s.Dataset].GetProperty("evidence").GetInt64(), certificate[s.Dataset].GetProperty("threshold").GetInt64(),
            certificate[s.Dataset].GetProperty("passed").GetBoolean(), certificate[s.Dataset].GetProperty("reason_code").GetString(), certificate[s.Dataset].GetProperty("certificate_number").GetString()));
        Assert.True(line[s.Dataset].GetProperty("qualified").GetBoolean());
        Assert.Equal((0L, false, "no_valid_listing_certificate"), (certificate[unlisted].GetProperty("evidence").GetInt64(), certificate[unlisted].GetProperty("passed").GetBoolean(),
            certificate[unlisted].GetProperty("reason_code").GetString()));
        Assert.False(certificate[unlisted].TryGetProperty("certificate_number", out _));
        Assert.Equal(("not_qualified", false), (line[unlisted].GetProperty("reason_code").GetString(), line[unlisted].GetProperty("qualified").GetBoolean()));

        // The clerk's export names the certificate, and the approved run's canonical content (read back from the stored
        // lines) hashes to the content hash it was frozen with.
        var csv = System.Text.Encoding.UTF8.GetString(await bureau.GetByteArrayAsync($"/v1/reward-runs/{first}/export?format=csv", Ct));
        Assert.Contains($"listing_certificate 1/1 ok {number}", csv);
        Assert.Contains("listing_certificate 0/1 no_valid_listing_certificate", csv);
        var approved = await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{first}/approve", new { }, Ct)).AssertJson();
        var jsonl = await bureau.GetByteArrayAsync($"/v1/reward-runs/{first}/export?format=jsonl", Ct);
        Assert.Equal(approved.GetProperty("content_sha256").GetString(), DatasetFlow.Sha256Hex(jsonl));

        // A policy without the criterion has no such line item; a revoked certificate no longer qualifies.
        var (_, none, _) = await RunAsync(plain);
        Assert.Equal(JsonValueKind.Undefined, none[s.Dataset].ValueKind);
        await (await s.Reviewer.PostAsJsonAsync($"/v1/review/listings/{listing}/revoke", new { reason = "评估报告失实" }, Ct)).AssertJson();
        var (_, afterRevocation, lineAfter) = await RunAsync(policy);
        Assert.Equal((0L, "no_valid_listing_certificate"), (afterRevocation[s.Dataset].GetProperty("evidence").GetInt64(), afterRevocation[s.Dataset].GetProperty("reason_code").GetString()));
        Assert.False(lineAfter[s.Dataset].GetProperty("qualified").GetBoolean());
    }

    [Fact]
    public async Task An_application_naming_a_missing_report_and_a_missing_objection_are_refused_by_name()
    {
        var s = await SetUpAsync();
        var (compliance, _) = await ReportsAsync(s);
        await (await s.Owner.PostAsJsonAsync($"/v1/datasets/{s.Dataset}/listings", Application(compliance, Guid.NewGuid().ToString()), Ct))
            .AssertProblem(HttpStatusCode.NotFound, "assessment_report_not_found");
        var (_, quality) = (compliance, (await (await ReportAsync(s, "quality", Report(s.Manifest, Today(180)))).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!);
        var listing = await ApplyAndSubmitAsync(s, compliance, quality);
        await (await s.Reviewer.PostAsJsonAsync($"/v1/review/listings/{listing}/objections/{Guid.NewGuid()}/resolve", new { outcome = "dismissed", resolution = "无此异议" }, Ct))
            .AssertProblem(HttpStatusCode.NotFound, "objection_not_found");
    }

    [Fact]
    public async Task An_assessment_fee_subsidy_policy_requiring_a_listing_certificate_pays_only_assets_of_certified_datasets()
    {
        var (s, _, number) = await ListedAsync();
        var unlisted = await DatasetFlow.CreateAsync(s.Owner, DatasetFlow.ValidFields("未挂牌入表数据集 " + Guid.NewGuid().ToString("N")[..6], "paid"));

        async Task<string> VerifiedAssetAsync(string name, string dataset, long feeFen)
        {
            var body = System.Text.Json.JsonSerializer.SerializeToNode(RecordFlow.Asset(name))!.AsObject();
            body["dataset_ids"] = new JsonArray(dataset);
            var asset = (await (await s.Owner.PostAsJsonAsync("/v1/data-assets", body, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
            var added = await (await s.Owner.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", new
            {
                assessor_firm = "广东中联羊城资产评估有限公司", appraisers = new[] { "张三" }, methods = new[] { "cost" }, base_date = "2026-06-30",
                value_fen = 40_000_000, report_number = $"评字第{feeFen}号", assessment_fee_fen = feeFen,
            }, Ct)).AssertJson(HttpStatusCode.Created);
            var valuation = added.GetProperty("valuations").EnumerateArray().Last().GetProperty("id").GetString();
            await (await RecordFlow.UploadAsync(s.Owner, $"/v1/data-assets/{asset}/valuations/{valuation}/report", "评估报告.pdf", "%PDF-1.7 report"u8.ToArray())).AssertJson();
            await (await s.Owner.PostAsync($"/v1/data-assets/{asset}/submit", null, Ct)).AssertJson();
            await (await s.Reviewer.PostAsync($"/v1/review/data-assets/{asset}/verify", null, Ct)).AssertJson();
            return asset;
        }

        var certified = await VerifiedAssetAsync("已挂牌数据资产", s.Dataset, 2_000_000);
        var uncertified = await VerifiedAssetAsync("未挂牌数据资产", unlisted, 2_000_000);
        var policy = await (await s.Reviewer.PostAsJsonAsync("/v1/asset-fee-subsidy-policies", new { rate_basis_points = 5000, cap_fen = 3_000_000, require_listing_certificate = true }, Ct))
            .AssertJson(HttpStatusCode.Created);
        Assert.True(policy.GetProperty("require_listing_certificate").GetBoolean());

        var export = await (await s.Reviewer.GetAsync($"/v1/exports/asset-fee-subsidies?policy_id={policy.GetProperty("id").GetString()}", Ct)).AssertJson();
        var lines = export.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("asset_id").GetString()!);
        Assert.Equal((1_000_000L, "subsidised", number), (lines[certified].GetProperty("subsidy_fen").GetInt64(), lines[certified].GetProperty("reason_code").GetString(),
            lines[certified].GetProperty("listing_certificate").GetString()));
        Assert.Equal((0L, "no_valid_listing_certificate", JsonValueKind.Null), (lines[uncertified].GetProperty("subsidy_fen").GetInt64(),
            lines[uncertified].GetProperty("reason_code").GetString(), lines[uncertified].GetProperty("listing_certificate").ValueKind));
        var csv = System.Text.Encoding.UTF8.GetString(await s.Reviewer.GetByteArrayAsync($"/v1/exports/asset-fee-subsidies?format=csv&policy_id={policy.GetProperty("id").GetString()}", Ct));
        Assert.Contains(number, csv);
        Assert.Contains("无有效挂牌凭证", csv);

        // Without the option both are paid, and no certificate is named.
        var plain = await (await s.Reviewer.PostAsJsonAsync("/v1/asset-fee-subsidy-policies", new { rate_basis_points = 5000, cap_fen = 3_000_000 }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.False(plain.GetProperty("require_listing_certificate").GetBoolean());
        var paid = (await (await s.Reviewer.GetAsync($"/v1/exports/asset-fee-subsidies?policy_id={plain.GetProperty("id").GetString()}", Ct)).AssertJson())
            .GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("asset_id").GetString()!);
        Assert.Equal((1_000_000L, 1_000_000L), (paid[certified].GetProperty("subsidy_fen").GetInt64(), paid[uncertified].GetProperty("subsidy_fen").GetInt64()));
        Assert.Equal(JsonValueKind.Null, paid[certified].GetProperty("listing_certificate").ValueKind);
    }

    [Fact]
    public async Task Withdrawing_a_listed_dataset_revokes_its_certificate()
    {
        var (s, listing, number) = await ListedAsync();
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertJson();
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/withdraw", null, Ct)).AssertJson();
        var certificate = await (await Api.Anonymous().GetAsync($"/v1/certificates/{number}", Ct)).AssertJson();
        Assert.Equal("revoked", certificate.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_certificate_expires_with_its_earliest_report_and_a_reviewer_never_lists_drafts()
    {
        var s = await SetUpAsync();
        var (compliance, quality) = await ReportsAsync(s, validDays: 30);
        var listing = await ApplyAndSubmitAsync(s, compliance, quality);
        var draft = await SetUpAsync();
        var (c2, q2) = await ReportsAsync(draft);
        var drafted = (await (await draft.Owner.PostAsJsonAsync($"/v1/datasets/{draft.Dataset}/listings", Application(c2, q2), Ct)).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var reviewerDrafts = await (await s.Reviewer.GetAsync("/v1/listings?status=draft&limit=100", Ct)).AssertJson();
        Assert.DoesNotContain(reviewerDrafts.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == drafted);
        var queue = await (await s.Reviewer.GetAsync("/v1/listings?limit=100", Ct)).AssertJson();
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == listing);

        var number = (await (await s.Reviewer.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertJson()).GetProperty("certificate_number").GetString()!;
        var anonymous = Api.Anonymous();
        Assert.Equal("valid", (await (await anonymous.GetAsync($"/v1/certificates/{number}", Ct)).AssertJson()).GetProperty("status").GetString());
        Api.Clock.Advance(TimeSpan.FromDays(32));
        Assert.Equal("expired", (await (await anonymous.GetAsync($"/v1/certificates/{number}", Ct)).AssertJson()).GetProperty("status").GetString());
        s = await s.RenewedAsync(Api);
        await (await s.Owner.PostAsync($"/v1/datasets/{s.Dataset}/publish", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "listing_review_required");
    }

    [Fact]
    public async Task A_valuation_may_name_a_registered_assessor_allowed_to_sign_valuations()
    {
        var s = await SetUpAsync();
        var unit = await Api.ClientFor(s.OwnerOrg);
        var asset = await RecordFlow.CreateAsync(unit, "data-assets", RecordFlow.Asset());
        object Valuation(string assessor) => new
        {
            assessor_id = assessor, appraisers = new[] { "张三" }, methods = new[] { "income" }, base_date = "2026-06-30",
            value_fen = 50_000_000, report_number = "粤评字〔2026〕第 9 号", assessment_fee_fen = 800_000,
        };
        await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", Valuation(s.AssessorId), Ct)).AssertProblem(HttpStatusCode.Conflict, "assessment_kind_not_registered");
        await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", Valuation(Guid.NewGuid().ToString()), Ct)).AssertProblem(HttpStatusCode.NotFound, "assessor_not_found");

        var valuer = await Api.OrganizationAsync("广东数据资产评估有限公司", "assessor");
        await (await (await Api.OperatorClient()).PostAsJsonAsync("/v1/assessors", new { organization_id = valuer.OrganizationId, kinds = new[] { "valuation" } }, Ct)).AssertJson();
        var added = await (await unit.PostAsJsonAsync($"/v1/data-assets/{asset}/valuations", Valuation(valuer.OrganizationId), Ct)).AssertJson(HttpStatusCode.Created);
        var valuation = added.GetProperty("valuations")[0];
        Assert.Equal(valuer.OrganizationId, valuation.GetProperty("assessor_id").GetString());
        Assert.Equal("广东数据资产评估有限公司", valuation.GetProperty("assessor_firm").GetString());
    }

    [Fact]
    public async Task A_dataset_records_its_registrations_on_other_exchanges()
    {
        var s = await SetUpAsync();
        var url = $"/v1/datasets/{s.Dataset}/exchange-registrations";
        await (await s.Owner.PostAsJsonAsync(url, new { exchange = "广州数据交易所", certificate_number = "GZDE-2026-000123", type = "initial", registered_on = "2026-01-20" }, Ct))
            .AssertJson(HttpStatusCode.Created);
        var bad = await (await s.Owner.PostAsJsonAsync(url, new { exchange = "上海数据交易所", certificate_number = "", type = "first" }, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(bad.GetProperty("errors").TryGetProperty("type", out _));
        await (await s.Assessor.PostAsJsonAsync(url, new { exchange = "深圳数据交易所", certificate_number = "SZ-1", type = "initial", registered_on = "2026-01-20" }, Ct))
            .AssertProblem(HttpStatusCode.Forbidden, "role_required");
        var list = await (await s.Owner.GetAsync(url, Ct)).AssertJson();
        Assert.Equal(["GZDE-2026-000123"], list.EnumerateArray().Select(r => r.GetProperty("certificate_number").GetString()));
    }

    [Fact]
    public async Task An_upheld_objection_returns_the_application_to_its_unit()
    {
        var s = await SetUpAsync();
        var (compliance, quality) = await ReportsAsync(s);
        var listing = await ApplyAndSubmitAsync(s, compliance, quality);
        var op = await Api.OperatorClient();
        await (await op.PostAsJsonAsync($"/v1/review/listings/{listing}/notice", new { days = 5 }, Ct)).AssertJson();
        var objector = await Api.ClientFor(await Api.OrganizationAsync("维权数源单位", "source_unit"));
        var filed = await (await objector.PostAsJsonAsync($"/v1/listings/{listing}/objections", new { reasons = "侵犯我方数据产品经营权" }, Ct)).AssertJson(HttpStatusCode.Created);
        var objection = filed.GetProperty("objections")[0].GetProperty("id").GetString()!;
        var upheld = await (await op.PostAsJsonAsync($"/v1/review/listings/{listing}/objections/{objection}/resolve",
            new { outcome = "upheld", resolution = "经核实，经营权属于异议方。" }, Ct)).AssertJson();
        Assert.Equal("returned", upheld.GetProperty("status").GetString());
        Assert.Equal("经核实，经营权属于异议方。", upheld.GetProperty("return_reason").GetString());
        await (await op.PostAsync($"/v1/review/listings/{listing}/verify", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "listing_state_conflict");
    }

    private static Task<(bool Ok, string Output)> OpensslVerifyAsync(string folder, string key, string message, string[] options) =>
        OpensslTool.RunAsync(folder, ["pkeyutl", "-verify", "-pubin", "-inkey", key + ".pub", "-rawin", .. options, "-in", message, "-sigfile", key + ".sig"], Ct);
}
