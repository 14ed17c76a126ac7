using System.IO.Compression;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The web console in a real browser: people sign in with a password and walk their main journeys through the pages,
/// which call the public /v1 endpoints under the session cookie. Screenshots of each main page go to artifacts/.
/// </summary>
public sealed class ConsoleJourneyTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static string ShanghaiToday() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime)
            .ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Sign_in_refusals_show_the_problem_and_sign_out_everywhere_returns_to_the_sign_in_page()
    {
        var email = await ConsoleFlow.UserAsync(api, await api.OrganizationAsync("浏览器登录数源单位", "source_unit"));
        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        try
        {
            await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "登录数据空间控制台" })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("the sign-in page");
            await console.ScreenshotAsync("console-sign-in.png");

            await console.Page.GetByLabel("电子邮箱").FillAsync(email);
            await console.Page.GetByLabel("密码").FillAsync("wrong password");
            await console.Page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
            var refusal = await console.NoticeAsync();
            Assert.Contains("邮箱或密码不正确", refusal, StringComparison.Ordinal);
            Assert.Contains("Check the address and the password", refusal, StringComparison.Ordinal); // the problem's detail

            await console.SignInAsync(email);
            // The session cookie is HttpOnly: the page's script cannot read it.
            Assert.Equal("", await console.Page.EvaluateAsync<string>("() => document.cookie"));
            var cookies = await console.Page.Context.CookiesAsync();
            var session = Assert.Single(cookies, c => c.Name == "__Host-dataspace-session");
            Assert.True(session.HttpOnly && session.Secure && session.SameSite == SameSiteAttribute.Strict);

            // English on request.
            await console.Page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
            await Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
            Assert.Equal("en", await console.Page.EvaluateAsync<string>("() => document.documentElement.lang"));
            await console.Page.GetByRole(AriaRole.Button, new() { Name = "中文" }).ClickAsync();

            await console.Page.GetByRole(AriaRole.Button, new() { Name = "退出所有设备" }).ClickAsync();
            await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "登录数据空间控制台" })).ToBeVisibleAsync();
            await console.Page.ReloadAsync();
            await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "登录数据空间控制台" })).ToBeVisibleAsync();
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-signed-out.png");
        }
    }

    [Fact]
    public async Task An_admin_invites_a_colleague_who_signs_in_with_the_initial_password_and_then_removes_them()
    {
        var org = await api.OrganizationAsync("浏览器成员管理模型公司", "model_builder");
        var admin = await ConsoleFlow.UserAsync(api, org, "admin");
        var colleague = $"colleague-{Guid.NewGuid():N}@example.cn";
        string password;
        await using (var console = await ConsolePage.OpenAsync(api.BaseAddress))
        {
            await console.SignInAsync(admin);
            await console.NavigateAsync("成员");
            await Expect(console.Page.GetByText("只有您自己。用下面的表单邀请同事。")).ToBeVisibleAsync();
            await console.Page.GetByLabel("电子邮箱").FillAsync(colleague);
            await console.Page.GetByLabel("姓名").FillAsync("王工程师");
            await console.Page.GetByLabel("角色").SelectOptionAsync("viewer");
            await console.Page.GetByRole(AriaRole.Button, new() { Name = "邀请成员" }).ClickAsync();
            password = await console.Page.Locator(".secret").InnerTextAsync();
            Assert.True(password.Length >= 12);
            await console.AssertAccessibleAsync("users");
            await console.ScreenshotAsync("console-users.png");
        }

        await using (var invited = await ConsolePage.OpenAsync(api.BaseAddress))
        {
            await invited.SignInAsync(colleague, password);
            // A viewer of a model builder sees the catalog, not the entitlements or the users.
            var nav = invited.Page.GetByRole(AriaRole.Navigation);
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "数据目录" })).ToBeVisibleAsync();
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "成员" })).ToHaveCountAsync(0);

            await using (var console = await ConsolePage.OpenAsync(api.BaseAddress))
            {
                await console.SignInAsync(admin);
                await console.NavigateAsync("成员");
                await console.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = colleague }).GetByRole(AriaRole.Button, new() { Name = "移除" }).ClickAsync();
                await Expect(console.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = colleague })).ToHaveCountAsync(0);
            }

            // The removed colleague's open page is signed out on its next request.
            await invited.Page.ReloadAsync();
            await Expect(invited.Page.GetByRole(AriaRole.Heading, new() { Name = "登录数据空间控制台" })).ToBeVisibleAsync();
            invited.AssertSelfContained();
        }
    }

    [Fact]
    public async Task A_source_unit_registers_a_dataset_uploads_a_file_with_progress_commits_publishes_and_grants_then_revokes_a_consent()
    {
        var unitOrg = await api.OrganizationAsync("浏览器古镇灯饰数源单位", "source_unit");
        var bureauOrg = await api.OrganizationAsync("浏览器数据局", "data_bureau");
        var email = await ConsoleFlow.UserAsync(api, unitOrg, "editor");
        var title = "控制台登记的数据集 " + Guid.NewGuid().ToString("N")[..8];
        // 3 MiB, so the upload reports progress along the way.
        var content = DatasetFlow.RandomBytes(3 * 1024 * 1024);

        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await console.NavigateAsync("我的数据集");
            await Expect(page.GetByText("还没有数据集。用下面的表单登记第一个数据集。")).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("my datasets (empty)");

            await page.GetByLabel("标题").FillAsync(title);
            await page.GetByLabel("描述").FillAsync("控制台端到端测试");
            await page.GetByLabel("行业").FillAsync("灯饰照明");
            await page.GetByLabel("采集方式").FillAsync("系统导出");
            await page.GetByLabel("合法性依据").FillAsync("企业自有经营数据");
            await page.GetByRole(AriaRole.Button, new() { Name = "登记数据集" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = title })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "新建版本" }).ClickAsync();
            await page.GetByLabel("选择文件").SetInputFilesAsync(new FilePayload { Name = "exports.bin", MimeType = "application/octet-stream", Buffer = content });
            // Every value the progress bar takes, as the page sets it.
            await page.EvaluateAsync("() => { window.progressSeen = []; new MutationObserver(() => window.progressSeen.push(Number(document.getElementById('upload-progress').value)))" +
                ".observe(document.getElementById('upload-progress'), { attributes: true }); " +
                "const bar = document.getElementById('upload-progress'); const d = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value'); " +
                "Object.defineProperty(bar, 'value', { set(v) { window.progressSeen.push(Number(v)); d.set.call(this, v); }, get() { return d.get.call(this); } }); }");
            var upload = await page.RunAndWaitForRequestFinishedAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "上传文件" }).ClickAsync(),
                new() { Predicate = r => r.Method == "PUT" && r.Url.Contains("/files/exports.bin", StringComparison.Ordinal) });
            Assert.Equal("xhr", upload.ResourceType);
            Assert.Contains("上传完成", await console.NoticeAsync(), StringComparison.Ordinal);
            await Expect(page.Locator("#upload-progress")).ToHaveAttributeAsync("value", "100");
            await Expect(page.Locator("#upload-percent")).ToHaveTextAsync("100%");
            var seen = await page.EvaluateAsync<int[]>("() => window.progressSeen");
            Assert.Equal(100, seen[^1]);
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "exports.bin" })).ToBeVisibleAsync();
            await console.ScreenshotAsync("console-upload.png");

            await page.GetByRole(AriaRole.Button, new() { Name = "提交版本" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "新建版本" })).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "发布" }).ClickAsync();
            await Expect(page.Locator(".badge")).ToHaveTextAsync("已发布");
            await console.AssertAccessibleAsync("a dataset of mine");

            // What the page did is what the API holds: published, with the uploaded bytes.
            using var unit = await api.ClientFor(unitOrg);
            var mine = await (await unit.GetAsync($"/v1/datasets?owner={unitOrg.OrganizationId}&q={Uri.EscapeDataString(title)}", TestContext.Current.CancellationToken)).AssertJson();
            var dataset = Assert.Single(mine.GetProperty("items").EnumerateArray());
            Assert.Equal("published", dataset.GetProperty("status").GetString());
            var id = dataset.GetProperty("id").GetString()!;
            Assert.Equal(content, await unit.GetByteArrayAsync(DatasetFlow.FileUrl(id, 1, "exports.bin"), TestContext.Current.CancellationToken));

            // Consent: granted to the bureau, then revoked.
            await console.NavigateAsync("数据授权");
            await Expect(page.GetByText("还没有授权。", new() { Exact = false })).ToBeVisibleAsync();
            await page.GetByLabel("被授权机构 ID").FillAsync(bureauOrg.OrganizationId);
            await page.GetByRole(AriaRole.Button, new() { Name = "授予授权" }).ClickAsync();
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "浏览器数据局" });
            await Expect(row).ToContainTextAsync("有效");
            await console.AssertAccessibleAsync("consents");
            await console.ScreenshotAsync("console-consents.png");
            using var bureau = await api.ClientFor(bureauOrg);
            var held = await (await bureau.GetAsync("/v1/consents", TestContext.Current.CancellationToken)).AssertJson();
            var consent = Assert.Single(held.GetProperty("items").EnumerateArray());
            Assert.Equal(["revenue", "usage_statistics"], consent.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!).ToArray());

            await row.GetByRole(AriaRole.Textbox).FillAsync("不再参与本年度语料奖励");
            await row.GetByRole(AriaRole.Button, new() { Name = "撤销" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "浏览器数据局" })).ToContainTextAsync("已撤销");
            var after = await (await bureau.GetAsync($"/v1/consents/{consent.GetProperty("id").GetString()}", TestContext.Current.CancellationToken)).AssertJson();
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, after.GetProperty("revoked_at").ValueKind);
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-source-unit.png");
        }
    }

    [Fact]
    public async Task A_model_builder_searches_the_catalog_accepts_terms_orders_and_downloads_from_an_entitlement()
    {
        var unitOrg = await api.OrganizationAsync("浏览器出售数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var title = "付费灯饰语料 " + Guid.NewGuid().ToString("N")[..8];
        var content = "编号,功率\nGZ-" + Guid.NewGuid().ToString("N")[..6] + ",12\n";
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["样品.csv"] = System.Text.Encoding.UTF8.GetBytes(content) }, "paid", title);
        await OrderFlow.OfferAsync(unit, dataset, 120_000, terms: "仅限购买方内部模型训练。");
        var builderOrg = await api.OrganizationAsync("浏览器模型公司", "model_builder");
        var email = await ConsoleFlow.UserAsync(api, builderOrg, "editor");

        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await console.NavigateAsync("我的权益");
            await Expect(page.GetByText("还没有权益。", new() { Exact = false })).ToBeVisibleAsync();

            await console.NavigateAsync("数据目录");
            await page.GetByLabel("关键词（中文或英文）").FillAsync(title);
            await page.GetByRole(AriaRole.Button, new() { Name = "搜索" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = title })).ToBeVisibleAsync();
            await Expect(page.GetByText("仅限购买方内部模型训练。")).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("a dataset page");
            await console.ScreenshotAsync("console-dataset.png");

            // Ordering before accepting the terms is refused, and the page says why.
            await page.GetByRole(AriaRole.Button, new() { Name = "下单", Exact = false }).ClickAsync();
            Assert.Contains("请先接受数据使用协议", await console.NoticeAsync(), StringComparison.Ordinal);
            await page.GetByRole(AriaRole.Button, new() { Name = "接受协议" }).ClickAsync();
            await Expect(page.Locator("#notice")).ToHaveTextAsync("已接受协议");
            await page.GetByRole(AriaRole.Button, new() { Name = "下单", Exact = false }).ClickAsync();
            await Expect(page.Locator("#notice")).ToContainTextAsync("订单已创建");

            // The operator confirms the payment (its own client, as in production).
            using var builder = await api.ClientFor(builderOrg);
            var orders = await (await builder.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).AssertJson();
            var order = Assert.Single(orders.GetProperty("items").EnumerateArray());
            using var op = await api.OperatorClient();
            await (await op.PostAsJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/payments", new { amount_fen = 120_000, reference = "R-browser-" + Guid.NewGuid().ToString("N")[..8] }, TestContext.Current.CancellationToken)).AssertJson();

            await console.NavigateAsync("我的权益");
            await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "有效" })).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("entitlements");
            await console.ScreenshotAsync("console-entitlements.png");
            await page.GetByRole(AriaRole.Link, new() { Name = dataset }).ClickAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "下载" }).ClickAsync());
            var saved = Path.Combine(DocsPage.ArtifactsFolder, "downloaded-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
            await download.SaveAsAsync(saved);
            Assert.Equal(content, await File.ReadAllTextAsync(saved, TestContext.Current.CancellationToken));
            Assert.Equal("样品.csv", download.SuggestedFilename);
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-model-builder.png");
        }
    }

    [Fact]
    public async Task The_bureau_computes_approves_and_downloads_a_reward_run_as_XLSX_and_verifies_a_record_from_its_review_queue()
    {
        using var op = await api.OperatorClient();
        var bureauOrg = await api.OrganizationAsync("浏览器奖励数据局", "data_bureau");
        var unitOrg = await api.OrganizationAsync("浏览器获奖数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["语料.jsonl"] = "{\"text\":\"灯饰\"}\n"u8.ToArray() }, "paid", "获奖语料 " + Guid.NewGuid().ToString("N")[..6]);
        var (terms, plan) = await OrderFlow.OfferAsync(unit, dataset, 50_000_000);
        using (var buyer = await api.ClientFor(await api.OrganizationAsync("浏览器买家", "model_builder")))
        {
            await OrderFlow.AcceptAsync(buyer, dataset, terms);
            var order = await OrderFlow.PlaceAsync(buyer, plan);
            await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = 50_000_000, reference = "R-" + order }, TestContext.Current.CancellationToken)).AssertJson();
        }

        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics", "dcmm_records"]));
        using var bureau = await api.ClientFor(bureauOrg);
        await RecordFlow.CreateAsync(unit, "dcmm-certificates", RecordFlow.Dcmm(3, "DCMM-BROWSER-" + Guid.NewGuid().ToString("N")[..6]));
        var dcmm = (await (await unit.GetAsync("/v1/dcmm-certificates", TestContext.Current.CancellationToken)).AssertJson()).GetProperty("items")[0].GetProperty("id").GetString()!;
        await (await RecordFlow.UploadAsync(unit, $"/v1/dcmm-certificates/{dcmm}/evidence", "证书.pdf", "%PDF-1.7 evidence"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/dcmm-certificates/{dcmm}/submit", null, TestContext.Current.CancellationToken)).AssertJson();
        var email = await ConsoleFlow.UserAsync(api, bureauOrg, "reviewer");

        await using var console = await ConsolePage.OpenAsync(api.BaseAddress);
        var page = console.Page;
        try
        {
            await console.SignInAsync(email);
            await console.NavigateAsync("语料奖励");
            await Expect(page.GetByText("还没有奖励政策。先建立一个政策，再计算奖励。")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "新建政策" }).ClickAsync();
            await Expect(page.GetByText("还没有计算过奖励。", new() { Exact = false })).ToBeVisibleAsync();
            await page.GetByLabel("期间起").FillAsync(ShanghaiToday());
            await page.GetByLabel("期间止").FillAsync(ShanghaiToday());
            await page.GetByRole(AriaRole.Button, new() { Name = "计算奖励" }).ClickAsync();
            var run = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "草稿" });
            // 10 % of 500,000 CNY = 50,000 CNY.
            await Expect(run).ToContainTextAsync("50000.00");
            await console.AssertAccessibleAsync("reward runs");
            await run.GetByRole(AriaRole.Button, new() { Name = "批准" }).ClickAsync();
            var xlsxLink = page.GetByRole(AriaRole.Link, new() { Name = "下载 XLSX" });
            await Expect(xlsxLink).ToBeVisibleAsync();
            await console.ScreenshotAsync("console-rewards.png");

            var download = await page.RunAndWaitForDownloadAsync(() => xlsxLink.ClickAsync());
            var saved = Path.Combine(DocsPage.ArtifactsFolder, "reward-run-" + Guid.NewGuid().ToString("N")[..8] + ".xlsx");
            await download.SaveAsAsync(saved);
            using (var xlsx = ZipFile.OpenRead(saved))
            {
                var text = string.Concat(xlsx.Entries.Where(e => e.FullName.StartsWith("xl/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal))
                    .Select(e => new StreamReader(e.Open()).ReadToEnd()));
                Assert.Contains(dataset, text, StringComparison.Ordinal);
                Assert.Contains("浏览器获奖数源单位", text, StringComparison.Ordinal);
            }

            var runs = await (await bureau.GetAsync("/v1/reward-runs", TestContext.Current.CancellationToken)).AssertJson();
            Assert.Equal("approved", Assert.Single(runs.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());

            await console.NavigateAsync("审核队列");
            var card = page.Locator("section").Filter(new() { HasText = "dcmm-certificates" });
            await Expect(card).ToBeVisibleAsync();
            await console.AssertAccessibleAsync("the review queue");
            await console.ScreenshotAsync("console-review.png");
            await card.GetByRole(AriaRole.Button, new() { Name = "核验通过" }).ClickAsync();
            await Expect(page.GetByText("队列为空：没有等待审核的记录。")).ToBeVisibleAsync();
            var record = await (await bureau.GetAsync($"/v1/review/dcmm-certificates", TestContext.Current.CancellationToken)).AssertJson();
            Assert.Equal(0, record.GetProperty("items").GetArrayLength());
            console.AssertSelfContained();
        }
        finally
        {
            await console.ScreenshotAsync("console-bureau.png");
        }
    }
}
