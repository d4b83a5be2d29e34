using System.Net;
using Akka.Configuration;
using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// The Kafka door's configuration, golog.kafka in hocon/golog.hocon: a setting of the broker's front, not of the core.
/// Advertised host and port are what Metadata tells clients to connect to; empty / 0 mean the listener's own.
/// </summary>
public sealed record KafkaSettings(bool Enabled, string Host, int Port, string AdvertisedHost, int AdvertisedPort, int NodeId,
    string ClusterId, int MaxRequestBytes)
{
    public static KafkaSettings From(Config root)
    {
        var c = root.GetConfig("golog.kafka") ?? throw new ArgumentException("missing \"golog.kafka\" configuration block");
        string host = c.String("host");
        long maxRequest = c.Bytes("max-request-bytes");
        if (maxRequest <= 0 || maxRequest > int.MaxValue)
            throw new ArgumentException($"golog.kafka.max-request-bytes must be between 1 and {int.MaxValue}, got {maxRequest}");
        int port = c.Int("port");
        int advertisedPort = c.Int("advertised-port");
        if (port is < 0 or > 65535 || advertisedPort is < 0 or > 65535)
            throw new ArgumentException("golog.kafka.port and golog.kafka.advertised-port must be between 0 and 65535");
        return new KafkaSettings(c.Boolean("enabled"), host, port, AdvertisedHostFor(c.String("advertised-host"), host), advertisedPort,
            c.Int("node-id"), c.String("cluster-id"), (int)maxRequest);
    }

    /// <summary>A listener on every interface has no address a client could use: then the machine's name is advertised (both doors).</summary>
    internal static string AdvertisedHostFor(string advertised, string host)
    {
        if (advertised.Length > 0) return advertised;
        bool wildcard = host.Length == 0 || (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
        return wildcard ? Dns.GetHostName() : host;
    }
}
