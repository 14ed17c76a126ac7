namespace DataSpace.Api.Tests.Features.Organizations;

public sealed class MeTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    [Theory]
    [InlineData("source_unit")]
    [InlineData("model_builder")]
    [InlineData("data_bureau")]
    [InlineData("authority")]
    [InlineData("operator")]
    public async Task Every_role_reads_its_own_organization(string role)
    {
        var ct = TestContext.Current.CancellationToken;
        var org = await api.OrganizationAsync($"中山市{role}示例有限公司", role);
        using var client = await api.ClientFor(org);

        var me = await (await client.GetAsync("/v1/organizations/me", ct)).AssertJson();

        Assert.Equal(org.OrganizationId, me.GetProperty("organization").GetProperty("id").GetString());
        Assert.Equal($"中山市{role}示例有限公司", me.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal(org.ClientId, me.GetProperty("client_id").GetString());
        Assert.Equal([role], me.GetProperty("organization").GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
    }
}
