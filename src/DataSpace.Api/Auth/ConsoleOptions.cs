using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Auth;

/// <summary>Sessions and sign-in throttling of the web console (section <c>Console</c>).</summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>A session ends this long after sign-in, whatever the activity (Console:SessionLifetime).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Console:SessionLifetime must be between 5 minutes and 7 days.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A session ends after this long without a request (Console:IdleTimeout).</summary>
    [Range(typeof(TimeSpan), "00:02:00", "1.00:00:00", ErrorMessage = "Console:IdleTimeout must be between 2 minutes and 1 day.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failed sign-ins are counted over this sliding window (Console:ThrottleWindow).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Console:ThrottleWindow must be between 1 minute and 1 day.")]
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures of one account within the window before its sign-in is refused (Console:MaxFailuresPerAccount).</summary>
    [Range(1, 1000, ErrorMessage = "Console:MaxFailuresPerAccount must be between 1 and 1000.")]
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failures from one remote address within the window, over all accounts (Console:MaxFailuresPerAddress).</summary>
    [Range(1, 100000, ErrorMessage = "Console:MaxFailuresPerAddress must be between 1 and 100000.")]
    public int MaxFailuresPerAddress { get; set; } = 50;

    /// <summary>
    /// A folder every replica shares for the Data Protection key ring that encrypts the session cookie
    /// (Console:KeysFolder); unset, ASP.NET Core's per-user default, fine for one instance.
    /// </summary>
    public string? KeysFolder { get; set; }
}
