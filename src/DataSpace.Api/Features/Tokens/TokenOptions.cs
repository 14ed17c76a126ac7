using System.ComponentModel.DataAnnotations;

namespace DataSpace.Api.Features.Tokens;

[FeatureService]
internal sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>Access token lifetime (Tokens__AccessTokenLifetime, default 01:00:00).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "24:00:00", ErrorMessage = "Set Tokens:AccessTokenLifetime between 00:01:00 and 24:00:00.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The issuer URL in the RFC 8414 metadata; empty means the URL the request came in on.</summary>
    public string? Issuer { get; set; }

    /// <summary>The API's public base URL: the issuer when set, else the URL the request came in on (also the base of absolute links in metadata documents).</summary>
    public string IssuerFor(HttpContext http) =>
        string.IsNullOrEmpty(Issuer) ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}" : Issuer.TrimEnd('/');

    /// <summary>Largest form body the /connect endpoints read, in bytes.</summary>
    [Range(1024, 1024 * 1024, ErrorMessage = "Set Tokens:MaxFormBytes between 1024 and 1048576.")]
    public int MaxFormBytes { get; set; } = 16 * 1024;
}
