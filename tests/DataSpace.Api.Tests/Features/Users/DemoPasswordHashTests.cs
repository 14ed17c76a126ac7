using System.Diagnostics;
using DataSpace.Api.Features.Users;
using Microsoft.AspNetCore.Identity;

namespace DataSpace.Api.Tests.Features.Users;

/// <summary>`./dataspace up` seeds demo users with hashes made by tools/password-hash.mjs: ASP.NET Core's PasswordHasher must accept them.</summary>
public sealed class DemoPasswordHashTests
{
    [Fact]
    public async Task A_hash_from_the_seed_tool_verifies_with_PasswordHasher_without_a_rehash_and_refuses_other_passwords()
    {
        var ct = TestContext.Current.CancellationToken;
        const string password = "演示密码-demo-Passw0rd";
        var start = new ProcessStartInfo("node") { WorkingDirectory = TestEnvironment.RepositoryRoot, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("tools/password-hash.mjs");
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(password);
        node.StandardInput.Close();
        var hash = (await node.StandardOutput.ReadToEndAsync(ct)).Trim();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector
        await node.WaitForExitAsync(deadline.Token);
        Assert.True(node.ExitCode == 0, await node.StandardError.ReadToEndAsync(ct));

        var hasher = new PasswordHasher<UserStore.Credentials>();
        Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword(null!, hash, password));
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(null!, hash, password + "x"));
    }
}
