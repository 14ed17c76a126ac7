using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The web console of one API, open at / in Debian's Chromium (the same watched browser page as <see cref="DocsPage"/>:
/// nothing fetched from elsewhere, no CSP violation), driven as a person would: sign in with e-mail and password,
/// follow the navigation, fill forms. Checks each page with axe-core (tools/node_modules, pinned in tools/package.json).
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private static readonly string AxeScript = Path.Combine(RepositoryRoot(), "tools", "node_modules", "axe-core", "axe.min.js");

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataSpace.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DataSpace.sln not found above " + AppContext.BaseDirectory);
    }

    private readonly DocsPage _browser;

    private ConsolePage(DocsPage browser) => _browser = browser;

    public IPage Page => _browser.Page;

    public string Origin => _browser.Origin;

    public static async Task<ConsolePage> OpenAsync(Uri api) => new(await DocsPage.OpenAsync(api, "/"));

    /// <summary>Signs in through the page's form and waits for the navigation of the signed-in console.</summary>
    public async Task SignInAsync(string email, string password = ConsoleFlow.Password)
    {
        await Page.GetByLabel("电子邮箱").FillAsync(email);
        await Page.GetByLabel("密码").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" })).ToBeVisibleAsync();
    }

    /// <summary>Follows a link of the main navigation.</summary>
    public async Task NavigateAsync(string name)
    {
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = name })).ToBeVisibleAsync();
    }

    /// <summary>The alert region's text once it shows something.</summary>
    public async Task<string> NoticeAsync()
    {
        var notice = Page.Locator("#notice");
        await Expect(notice).Not.ToBeEmptyAsync();
        return await notice.InnerTextAsync();
    }

    /// <summary>Runs axe-core on the page as it is and fails on any serious or critical violation.</summary>
    public async Task AssertAccessibleAsync(string what)
    {
        Assert.True(File.Exists(AxeScript), "tools/node_modules/axe-core is missing: run ./dataspace test (it runs npm ci in tools/).");
        // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern: the page
        // itself never loads axe.
        await Page.EvaluateAsync(await File.ReadAllTextAsync(AxeScript));
        var result = await Page.EvaluateAsync<JsonElement>("async () => { const r = await axe.run(document, { resultTypes: ['violations'] }); " +
            "return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })); }");
        var serious = result.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").Select(v => v.ToString()).ToList();
        Assert.True(serious.Count == 0, $"axe-core found serious violations on {what}: " + string.Join(" | ", serious));
    }

    public void AssertSelfContained() => _browser.AssertSelfContained();

    /// <summary>A screenshot of the whole page (forms and lists below the fold included).</summary>
    public Task ScreenshotAsync(string name) => _browser.ScreenshotAsync(name, fullPage: true);

    public ValueTask DisposeAsync() => _browser.DisposeAsync();
}
