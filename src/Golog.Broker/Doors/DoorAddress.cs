using System.Net;

namespace Golog.Broker.Doors;

/// <summary>The address a door binds for its configured host: localhost is the IPv4 loopback, an IP is itself, a name resolves.</summary>
public static class DoorAddress
{
    /// <summary>Throws an IOException naming the door and host when the name does not resolve (a start must fail with the reason).</summary>
    public static IPAddress Resolve(string door, string host, int port)
    {
        try
        {
            return host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(host, out var ip) ? ip
                : Dns.GetHostAddresses(host).First();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new IOException($"cannot listen on {host}:{port} ({door}): the host name does not resolve ({e.Message})", e);
        }
    }
}
