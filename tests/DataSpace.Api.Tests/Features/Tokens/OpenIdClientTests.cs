using System.Diagnostics;

namespace DataSpace.Api.Tests.Features.Tokens;

/// <summary>A client nobody here wrote (openid-client from npm) discovers the metadata, gets a token and calls the API.</summary>
public sealed class OpenIdClientTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Theory]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task Openid_client_obtains_a_token_and_reads_its_organisation(string method)
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync("标准客户端验证单位", "model_builder");
        var root = TestEnvironment.RepositoryRoot;
        Assert.True(Directory.Exists(Path.Combine(root, "tools", "node_modules", "openid-client")),
            "tools/node_modules is missing: run the tests with ./dataspace test (it runs npm ci in tools/).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "tools/oauth-client-check.mjs", api.BaseAddress.GetLeftPart(UriPartial.Authority), org.ClientId, org.ClientSecret }.Concat(method == "post" ? ["post"] : Array.Empty<string>()))
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(ct);
        var stderr = node.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(deadline.Token);

        Assert.True(node.ExitCode == 0, $"openid-client failed: {await stderr}");
        var result = JsonDocument.Parse(await stdout).RootElement;
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal(org.OrganizationId, result.GetProperty("me").GetProperty("organization").GetProperty("id").GetString());
    }
}
