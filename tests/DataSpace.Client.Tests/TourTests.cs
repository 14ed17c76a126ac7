using System.Security.Cryptography;
using System.Text;
using DataSpace.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace DataSpace.Client.Tests;

/// <summary>
/// The README's tour, step by step, through the C# client Kiota generates from the committed OpenAPI document — no
/// hand-written HTTP — against the real API on a loopback port: the operator registers the parties; the source unit
/// registers a dataset, streams a file into version 1, commits and publishes; the model builder finds it and downloads a
/// byte range; a paid dataset is ordered and paid; the authority reads under a consent the unit approves and revokes;
/// the data bureau runs, approves and exports the corpus rewards.
/// </summary>
public sealed class TourTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string CsvName = "2026/能效抽检.csv";
    private static readonly byte[] Csv = Encoding.UTF8.GetBytes("样品编号,功率（W）,光效（lm/W）\nGZ-001,12,118\nGZ-002,36,104\nGZ-003,8,131\n");

    [Fact]
    public async Task The_readme_tour_runs_through_the_generated_client()
    {
        // Register: the operator registers each party and gives it an API client (the secret is shown once).
        var op = GeneratedClients.For(api, await api.OperatorAsync());
        var me = await op.V1.Organizations.Me.GetAsync(cancellationToken: Ct);
        Assert.Contains(Organization_roles.Operator, me!.Organization!.Roles!);
        var unitOrg = await RegisterAsync(op, "中山市古镇灯饰数据科技有限公司（客户端）", CreateOrganizationRequest_roles.Source_unit);
        var builderOrg = await RegisterAsync(op, "中山市示例模型科技有限公司（客户端）", CreateOrganizationRequest_roles.Model_builder);
        var authorityOrg = await RegisterAsync(op, "中山市工业和信息化局（客户端）", CreateOrganizationRequest_roles.Authority);
        var dataBureauOrg = await RegisterAsync(op, "中山市政务服务和数据管理局（客户端）", CreateOrganizationRequest_roles.Data_bureau);
        var unit = GeneratedClients.For(api, unitOrg);
        var builder = GeneratedClients.For(api, builderOrg);
        var authority = GeneratedClients.For(api, authorityOrg);
        var dataBureau = GeneratedClients.For(api, dataBureauOrg);

        // The source unit registers a dataset (a draft), opens version 1, streams a file into it, commits and publishes.
        var title = "古镇灯饰能耗抽检 Lighting energy " + Guid.NewGuid().ToString("N")[..6];
        var dataset = await unit.V1.Datasets.PostAsync(Fields(title, DatasetFields_access.Open), cancellationToken: Ct);
        Assert.Equal(Dataset_status.Draft, dataset!.Status);
        var datasetId = dataset.Id!;
        await UploadAndPublishAsync(unit, datasetId, CsvName, Csv);

        // The model builder searches the catalog and downloads the first 40 bytes, then the rest with If-Range.
        var found = await builder.V1.Datasets.GetAsync(q => { q.QueryParameters.Q = title[^6..]; q.QueryParameters.Limit = 5; }, Ct);
        Assert.Equal(datasetId, Assert.Single(found!.Items!).Id);
        var file = builder.V1.Datasets[datasetId].Versions["latest"].Files[CsvName];
        var head = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        await file.HeadAsync(c => c.Options.Add(head), Ct);
        var etag = head.ResponseHeaders["ETag"].Single();
        var (first, firstRange) = await DownloadAsync(file, "bytes=0-39", ifRange: null);
        Assert.Equal(Csv[..40], first);
        Assert.Equal($"bytes 0-39/{Csv.Length}", firstRange);
        var (rest, _) = await DownloadAsync(file, "bytes=40-", etag);
        Assert.Equal(Csv[40..], rest);

        // Paid data: the unit sets terms and a plan; the builder accepts and orders (idempotent); the operator confirms payment.
        var paidId = (await unit.V1.Datasets.PostAsync(Fields("缺陷标注 defect annotations " + Guid.NewGuid().ToString("N")[..6], DatasetFields_access.Paid), cancellationToken: Ct))!.Id!;
        await UploadAndPublishAsync(unit, paidId, "annotations.jsonl", "{\"image\":\"GZ-001.jpg\",\"label\":\"划痕\"}\n"u8.ToArray());
        var paidFile = builder.V1.Datasets[paidId].Versions["latest"].Files["annotations.jsonl"];
        Assert.Equal(403, (await Assert.ThrowsAnyAsync<ApiException>(() => paidFile.HeadAsync(cancellationToken: Ct))).ResponseStatusCode);
        var terms = await unit.V1.Datasets[paidId].Terms.PutAsync(new SetTermsRequest { Text = "仅限购买方内部模型训练，不得转售或公开原始数据。" }, cancellationToken: Ct);
        var plan = await unit.V1.Datasets[paidId].Plans.PostAsync(new CreatePlanRequest { Kind = CreatePlanRequest_kind.One_time, PriceFen = 129_900 }, cancellationToken: Ct);
        var agreement = await builder.V1.Datasets[paidId].Agreements.PostAsync(new AcceptTermsRequest { TermsVersion = terms!.Version }, cancellationToken: Ct);
        Assert.Equal(terms.Sha256, agreement!.TermsSha256);
        var key = Guid.NewGuid().ToString();
        var order = await builder.V1.Orders.PostAsync(new CreateOrderRequest { PlanId = plan!.Id }, c => c.Headers.Add("Idempotency-Key", key), Ct);
        var retried = await builder.V1.Orders.PostAsync(new CreateOrderRequest { PlanId = plan.Id }, c => c.Headers.Add("Idempotency-Key", key), Ct);
        Assert.Equal(order!.Id, retried!.Id);
        var paid = await op.V1.Orders[order.Id!].Payments.PostAsync(new ConfirmPaymentRequest { AmountFen = 129_900, Reference = "WXPAY-" + order.Id }, cancellationToken: Ct);
        Assert.Equal(Order_status.Paid, paid!.Status);
        await paidFile.HeadAsync(cancellationToken: Ct);
        var revenue = await unit.V1.Revenue.GetAsync(cancellationToken: Ct);
        Assert.NotNull(revenue);

        // Consent (Art. 11): the authority asks; the unit approves, narrowing; the read goes through; the unit revokes; refused.
        var unitId = unitOrg.OrganizationId;
        var request = await authority.V1.ConsentRequests.PostAsync(new CreateConsentRequestRequest
        {
            Unit = unitId,
            Categories = [CreateConsentRequestRequest_categories.Dataset_files, CreateConsentRequestRequest_categories.Usage_statistics, CreateConsentRequestRequest_categories.Revenue],
            AllDatasets = true,
            DatasetIds = [],
            Purpose = new ConsentPurpose { Code = "industry_statistics", Text = "全市灯饰产业运行监测" },
            LegalBasis = "中工信规字〔2026〕1号 第十一条",
            ValidFrom = DateTimeOffset.UtcNow.AddMinutes(-1),
            ValidUntil = DateTimeOffset.UtcNow.AddDays(90),
        }, cancellationToken: Ct);
        var approved = await unit.V1.ConsentRequests[request!.Id!].Approve.PostAsync(
            new ApproveConsentRequestRequest { Categories = [ApproveConsentRequestRequest_categories.Dataset_files, ApproveConsentRequestRequest_categories.Usage_statistics] }, cancellationToken: Ct);
        Assert.Equal(ConsentRequest_status.Approved, approved!.Status);
        var read = await authority.V1.Authority.Units[unitId].Datasets.GetAsync(q => q.QueryParameters.Limit = 10, Ct);
        Assert.Contains(read!.Items!, d => d.Id == paidId);
        var revoked = await unit.V1.Consents[approved.ConsentId!].Revoke.PostAsync(new RevokeConsentRequest { Reason = "监测项目结束" }, cancellationToken: Ct);
        Assert.Equal(Consent_status.Revoked, revoked!.Status);
        var refused = await Assert.ThrowsAnyAsync<ApiException>(() => authority.V1.Authority.Units[unitId].Datasets.GetAsync(cancellationToken: Ct));
        Assert.Equal(403, refused.ResponseStatusCode);
        Assert.Equal("consent_revoked", GeneratedClients.ProblemCode(refused));

        // Corpus rewards: the unit consents to the data bureau reading its revenue; the bureau runs, approves and exports.
        await unit.V1.Consents.PostAsync(new GrantConsentRequest
        {
            Grantee = dataBureauOrg.OrganizationId,
            Categories = [GrantConsentRequest_categories.Revenue, GrantConsentRequest_categories.Usage_statistics],
            AllDatasets = true,
            DatasetIds = [],
            Purpose = new ConsentPurpose { Code = "corpus_reward", Text = "语料奖励测算" },
            LegalBasis = "中府〔2025〕1号",
            ValidFrom = DateTimeOffset.UtcNow.AddMinutes(-1),
            ValidUntil = DateTimeOffset.UtcNow.AddDays(365),
        }, cancellationToken: Ct);
        var policy = await dataBureau.V1.RewardPolicies.PostAsync(new CreateRewardPolicyRequest
        {
            Name = "语料奖励（客户端）",
            CapScope = CreateRewardPolicyRequest_cap_scope.Per_period,
            MinFiles = 1,
            MinBytes = 1,
            MinVersionsInPeriod = 0,
            MinPayingConsumers = 1,
        }, cancellationToken: Ct);
        var today = new Date(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).ToDateTime(TimeOnly.MinValue));
        var run = await dataBureau.V1.RewardRuns.PostAsync(new CreateRewardRunRequest { PolicyId = policy!.Id, PeriodFrom = today, PeriodTo = today }, cancellationToken: Ct);
        var lines = await dataBureau.V1.RewardRuns[run!.Id!].Lines.GetAsync(q => q.QueryParameters.Limit = 100, Ct);
        var line = Assert.Single(lines!.Items!, l => l.DatasetId == paidId);
        Assert.Equal(129_900, line.RevenueFen);
        Assert.Equal(12_990, line.RewardFen); // 10 % of the revenue, under both caps
        var approvedRun = await dataBureau.V1.RewardRuns[run.Id!].Approve.PostAsync(new ApproveRewardRunRequest { SupersedeReason = "客户端演示" }, cancellationToken: Ct);
        Assert.Equal(RewardRun_status.Approved, approvedRun!.Status);
        await using var export = await dataBureau.V1.RewardRuns[run.Id!].Export.GetAsync(q => q.QueryParameters.Format = "csv", Ct);
        using var reader = new StreamReader(export!, Encoding.UTF8);
        var csv = await reader.ReadToEndAsync(Ct);
        Assert.Contains(paidId, csv, StringComparison.Ordinal);
    }

    private static async Task<Credentials> RegisterAsync(DataSpaceClient op, string name, CreateOrganizationRequest_roles role)
    {
        var org = await op.V1.Organizations.PostAsync(new CreateOrganizationRequest { Name = name, UnifiedSocialCreditCode = Uscc.Random(), Roles = [role] }, cancellationToken: Ct);
        var client = await op.V1.Organizations[org!.Id!].Clients.PostAsync(new CreateClientRequest { Name = name + " 脚本" }, cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(client!.ClientSecret));
        return new Credentials(org.Id!, client.ClientId!, client.ClientSecret!);
    }

    /// <summary>Opens version 1, streams the content into it from a file (with a Content-Digest), commits and publishes.</summary>
    private static async Task UploadAndPublishAsync(DataSpaceClient unit, string datasetId, string path, byte[] content)
    {
        var version = await unit.V1.Datasets[datasetId].Versions.PostAsync(new CreateVersionRequest { Notes = "首批抽检" }, cancellationToken: Ct);
        Assert.Equal(1, version!.Number);
        var local = Path.Combine(Path.GetTempPath(), "dataspace-client-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(local, content, Ct);
        try
        {
            await using var stream = File.OpenRead(local);
            var stored = await unit.V1.Datasets[datasetId].Versions["1"].Files[path].PutAsync(stream, "application/octet-stream",
                c => c.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:"), Ct);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), stored!.Sha256);
            Assert.Equal(path, stored.Path); // a '/' in the path travels as %2F and is stored as a folder separator
        }
        finally
        {
            File.Delete(local);
        }

        Assert.Equal(DatasetVersion_status.Committed, (await unit.V1.Datasets[datasetId].Versions["1"].Commit.PostAsync(cancellationToken: Ct))!.Status);
        Assert.Equal(Dataset_status.Published, (await unit.V1.Datasets[datasetId].Publish.PostAsync(cancellationToken: Ct))!.Status);
    }

    /// <summary>A ranged download through the generated file GET, with the response headers inspected for Content-Range.</summary>
    private static async Task<(byte[] Body, string? ContentRange)> DownloadAsync(
        V1.Datasets.Item.Versions.Item.Files.Item.WithPathItemRequestBuilder file, string range, string? ifRange)
    {
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        await using var body = await file.GetAsync(c =>
        {
            c.Headers.Add("Range", range);
            if (ifRange is not null)
            {
                c.Headers.Add("If-Range", ifRange);
            }

            c.Options.Add(headers);
        }, Ct);
        using var copy = new MemoryStream();
        await body!.CopyToAsync(copy, Ct);
        return (copy.ToArray(), headers.ResponseHeaders.TryGetValue("Content-Range", out var values) ? values.Single() : null);
    }

    private static DatasetFields Fields(string title, DatasetFields_access access) => new()
    {
        Title = title,
        Description = "2026 年灯具能效抽检结果，每行一个样品。",
        Industry = "灯饰照明",
        Tags = ["能效", "抽检", "energy"],
        Access = access,
        Licence = "CC BY 4.0",
        UpdateFrequency = DatasetFields_update_frequency.Quarterly,
        SecurityLevel = DatasetFields_security_level.General,
        PersonalInformation = DatasetFields_personal_information.None,
        Provenance = new Provenance
        {
            SourceType = Provenance_source_type.Self_operated,
            SourceSystems = ["实验室 LIMS"],
            CollectionPeriod = new CollectionPeriod { Start = new Date(2026, 1, 1), End = new Date(2026, 9, 30) },
            CollectionMethod = "实验室检测后导出",
            LegalBasis = "企业自有检测数据",
            Rights = new DataRights
            {
                ResourceHolding = new RightHolder { Holder = "中山市古镇灯饰数据科技有限公司", Basis = "自行检测" },
                ProcessingUse = new RightHolder { Holder = "中山市古镇灯饰数据科技有限公司", Basis = "自行检测" },
                ProductOperation = new RightHolder { Holder = "中山市古镇灯饰数据科技有限公司", Basis = "自行检测" },
            },
            Lineage = [],
        },
    };
}
