using System.Net;
using System.Net.Sockets;

namespace DataSpace.Api.Features.Webhooks;

/// <summary>
/// The HTTP client webhooks go out with, guarded against SSRF: the address is checked after DNS resolution, at connect
/// time (<see cref="SocketsHttpHandler.ConnectCallback"/>), so a public-looking name that resolves to 127.0.0.1 or
/// 169.254.169.254 (or re-resolves there later) is refused; no redirects are followed, no proxy, no cookies.
/// </summary>
internal static class SafeEndpointHttp
{
    /// <summary>Why a URL may not be an endpoint (null when it may); checks the text only, the addresses are checked when connecting.</summary>
    public static string? RefuseUrl(string? url, WebhookOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "must be an absolute URL without user info or fragment";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            return options.AllowHttp ? "must be an http or https URL" : "must be an https URL";
        }

        if (url!.Length > 2048)
        {
            return "must be at most 2048 characters";
        }

        if (!options.AllowPrivateNetworks && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && !IsPublic(ip))
            || uri.DnsSafeHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
        {
            return "must not point to a loopback, private or link-local address";
        }

        return null;
    }

    public static HttpClient Create(WebhookOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, ct) => ConnectAsync(context, options, ct),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, WebhookOptions options, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = options.AllowPrivateNetworks ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
        {
            throw new BlockedAddressException(host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Connect to the checked addresses themselves, never to the name (which could resolve anew).
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether an address is on the public internet: not loopback, private, link-local, CGNAT, multicast, unspecified, documentation or ULA.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128) // 100.64/10 carrier-grade NAT
                || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)
                || b[0] >= 224); // multicast and reserved
        }

        var v6 = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
            || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8) // 2001:db8::/32 documentation
            || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)); // 64:ff9b::/96 NAT64 can reach IPv4 private space
    }
}

/// <summary>The endpoint's name resolved only to addresses webhooks may not be sent to.</summary>
internal sealed class BlockedAddressException(string host)
    : Exception($"'{host}' resolves only to loopback, private or link-local addresses, which webhooks are not sent to.");
