using System.Diagnostics;
using System.Globalization;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// TOTP codes from Debian's oathtool (liboath, RFC 6238), an implementation nobody here wrote, so the API's codes are
/// checked against another's arithmetic rather than against a copy of their own. `./dataspace test` installs it.
/// </summary>
public static class OathTool
{
    /// <summary>The 6-digit code (SHA-1, 30-second step) of a base32 secret at an instant.</summary>
    public static Task<string> CodeAsync(string base32Secret, DateTimeOffset at) => RunAsync(base32Secret, at, 6);

    /// <summary>oathtool --totp with the number of digits, at an instant (what RFC 6238's test vectors need).</summary>
    public static async Task<string> RunAsync(string base32Secret, DateTimeOffset at, int digits)
    {
        var start = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--totp", "--base32", "--digits=" + digits.ToString(CultureInfo.InvariantCulture),
                     "--now=" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC", base32Secret,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("oathtool is missing: run ./dataspace test (it installs Debian's oathtool)", e);
        }

        using (process)
        {
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? stdout.Trim() : throw new InvalidOperationException("oathtool failed: " + stderr);
        }
    }
}
