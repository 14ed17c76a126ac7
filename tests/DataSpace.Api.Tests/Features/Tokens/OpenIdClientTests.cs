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
        var node = await NodeTool.RunAsync("openid-client",
            ["tools/oauth-client-check.mjs", api.BaseAddress.GetLeftPart(UriPartial.Authority), org.ClientId, org.ClientSecret, .. method == "post" ? new[] { "post" } : []], ct);

        Assert.True(node.ExitCode == 0, $"openid-client failed: {node.Stderr}");
        var result = JsonDocument.Parse(node.Stdout).RootElement;
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal(org.OrganizationId, result.GetProperty("me").GetProperty("organization").GetProperty("id").GetString());
    }
}
