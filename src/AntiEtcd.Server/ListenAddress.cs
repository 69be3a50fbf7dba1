using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Server;

/// <summary>
/// Where a node listens (SPEC §11.2): <c>ip</c> and <c>port</c> as given, or else taken from this
/// node's own <c>--cluster</c> URL, or else the defaults 127.0.0.1:2379.
/// </summary>
/// <remarks>
/// Explicit options override the URL for listening only: peers still dial the URL, which may name a
/// proxy or a NAT address. Resolution expects validated options (<see cref="AntiEtcdOptions.Validate"/>);
/// an unusable own URL falls back to the defaults instead of throwing.
/// </remarks>
/// <param name="Ip">The listen address: an IP literal, or a name (<c>localhost</c> is loopback, any other name means all interfaces).</param>
/// <param name="Port">The listen port; 0 lets the OS choose.</param>
internal sealed record ListenAddress(string Ip, int Port)
{
    /// <summary>The port without <c>--port</c> and without <c>--cluster</c>.</summary>
    public const int DefaultPort = 2379;

    /// <summary>The address without <c>--ip</c> and without <c>--cluster</c>: this machine only.</summary>
    public const string DefaultIp = "127.0.0.1";

    /// <summary>The listen address of <paramref name="options"/>.</summary>
    public static ListenAddress Resolve(AntiEtcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownUrl = options.Cluster is { } cluster && cluster.TryGetValue(options.NodeId, out var url) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : null;
        var port = options.ExplicitPort ?? ownUrl?.Port ?? DefaultPort;
        var ip = options.ExplicitIp ?? (ownUrl is null ? DefaultIp : HostToIp(ownUrl));
        return new ListenAddress(ip, port);
    }

    /// <summary>
    /// The listen address for a URL host: an IP as is, <c>localhost</c> as 127.0.0.1, and a DNS name as
    /// all interfaces, since the name may resolve to any of them (or only through a load balancer).
    /// </summary>
    private static string HostToIp(Uri url)
    {
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            // Uri.Host keeps the brackets of an IPv6 literal; the address itself goes without them.
            return IPAddress.Parse(url.Host.Trim('[', ']')).ToString();
        }

        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return DefaultIp;
        }

        return Socket.OSSupportsIPv6 ? IPAddress.IPv6Any.ToString() : IPAddress.Any.ToString();
    }
}
