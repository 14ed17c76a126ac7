using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DataSpace.Browser.Tests;

/// <summary>
/// The /docs page of one API, open in Debian's Chromium (headless): watches every request the page makes (all must
/// go to the API's own origin) and every CSP violation it reports, and drives the page as a reader would.
/// </summary>
public sealed class DocsPage : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium"; // Debian's package (./dataspace test installs it); never a downloaded browser

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ConcurrentQueue<string> _elsewhere = new();
    private readonly ConcurrentQueue<string> _cspViolations = new();

    private DocsPage(IPlaywright playwright, IBrowser browser, IPage page, string origin)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        Origin = origin;
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _elsewhere.Enqueue(request.Url);
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                _cspViolations.Enqueue(message.Text);
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The API's origin, e.g. http://127.0.0.1:40123.</summary>
    public string Origin { get; }

    /// <summary>Screenshots land here (the test output folder) and are attached to the test result.</summary>
    public static string ArtifactsFolder => Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>Opens <paramref name="path"/> of the API (the /docs page unless told; the console's tests open /).</summary>
    public static async Task<DocsPage> OpenAsync(Uri api, string path = "/docs/")
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run ./dataspace test (it installs Debian's chromium), or apt-get install chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(120_000); // hang detectors, generous for a loaded machine
        SetDefaultExpectTimeout(120_000);
        var docs = new DocsPage(playwright, browser, page, api.GetLeftPart(UriPartial.Authority));
        await page.GotoAsync(docs.Origin + path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return docs;
    }

    /// <summary>Types the client's credentials into the authentication card and presses Authorize; returns the token response's status.</summary>
    public async Task<int> AuthorizeAsync(Credentials client)
    {
        await Page.GetByLabel("Client ID").First.FillAsync(client.ClientId);
        await Page.GetByLabel("Client Secret").First.FillAsync(client.ClientSecret);
        var token = await Page.RunAndWaitForResponseAsync(
            () => Page.GetByRole(AriaRole.Button, new() { Name = "Authorize", Exact = true }).First.ClickAsync(),
            response => response.Url == Origin + "/connect/token");
        return token.Status;
    }

    /// <summary>Opens the try-it-out client of an operation (under its sidebar group) and fills its path variables.</summary>
    public async Task TryAsync(string group, string method, string path, IReadOnlyDictionary<string, string>? variables = null)
    {
        await Page.GetByRole(AriaRole.Link, new() { Name = group, Exact = true }).First.ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Test Request ({method.ToLowerInvariant()} {path})" }).First.ClickAsync();
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            await Page.Locator($"tr[id='{name}'] [aria-label=' Value']").First.FillAsync(value);
        }
    }

    /// <summary>Presses Send and returns the API's response to it.</summary>
    public async Task<IResponse> SendAsync(string method, string pathPrefix) =>
        await Page.RunAndWaitForResponseAsync(
            () => Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).First.ClickAsync(),
            response => response.Url.StartsWith(Origin + pathPrefix, StringComparison.Ordinal) && response.Request.Method == method);

    /// <summary>Closes the try-it-out client.</summary>
    public async Task CloseClientAsync() => await Page.Keyboard.PressAsync("Escape");

    /// <summary>Asserts the page fetched nothing from elsewhere and violated no CSP directive.</summary>
    public void AssertSelfContained()
    {
        Assert.True(_elsewhere.IsEmpty, "the page fetched from elsewhere than the API: " + string.Join(", ", _elsewhere));
        Assert.True(_cspViolations.IsEmpty, "CSP violations: " + string.Join(" | ", _cspViolations));
    }

    /// <summary>Saves a screenshot under <see cref="ArtifactsFolder"/> and attaches it to the running test.</summary>
    public async Task ScreenshotAsync(string name, bool fullPage = false)
    {
        Directory.CreateDirectory(ArtifactsFolder);
        var png = await Page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsFolder, name), FullPage = fullPage });
        TestContext.Current.AddAttachment(name, png, "image/png");
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
