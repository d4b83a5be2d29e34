using System.Net;
using Akka.Actor;
using Golog.Core;

namespace Golog.Cluster;

/// <summary>Makes the broker's actor system a member of the cluster and says where it listens for the other nodes.</summary>
public static class ClusterNode
{
    /// <summary>The ports file's key for the Akka.Remote endpoint other nodes (and seed lists) use.</summary>
    public const string PortsFileKey = "cluster";

    /// <summary>
    /// Joins the seed nodes (Akka.Cluster does so by itself from its configuration); a first node started on a free
    /// port with no seeds joins itself, since its address could not be written into the configuration. Returns the
    /// bound Akka.Remote endpoint.
    /// </summary>
    public static IPEndPoint Join(ActorSystem system, ClusterSettings settings)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfAddress;
        if (settings.SeedNodes.Count == 0 && settings.Port == 0) cluster.Join(self);
        Serilog.Log.Information("Cluster node {NodeId} at {Address} joining {Seeds}", settings.NodeId, self,
            settings.SeedNodes.Count == 0 ? "itself (a new cluster)" : string.Join(",", settings.SeedNodes.Select(s => $"{s.Host}:{s.Port}")));
        var address = IPAddress.TryParse(self.Host, out var ip) ? ip : Dns.GetHostAddresses(self.Host!)[0];
        return new IPEndPoint(address, self.Port ?? settings.Port);
    }
}
