using System.Text.Json;
using Golog.Core;

namespace Golog.Cluster;

/// <summary>
/// The Akka configuration that makes the broker's actor system a cluster node: Akka.Remote on golog.cluster's host
/// and port, the seed nodes, the phi-accrual failure detector's pause, the Split Brain Resolver (keep-majority) and
/// Distributed Data's durable store (<see cref="FileDurableStore"/>) for the replicated metadata, under the node's storage directory.
/// </summary>
public static class ClusterHocon
{
    /// <summary>The actor system's name, which is part of every node's address: all nodes must use the same.</summary>
    public const string SystemName = "golog";

    /// <summary>Where the Distributed Data durable store keeps this node's copy of the cluster metadata.</summary>
    public static string MetadataDirectory(string storageDirectory) => Path.Combine(storageDirectory, "__cluster_metadata");

    public static string For(ClusterSettings cluster, string storageDirectory)
    {
        // no seed nodes: this node starts a cluster of its own (it joins itself), and the others join through it
        var seeds = cluster.SeedNodes.Count == 0
            ? [$"akka.tcp://{SystemName}@{cluster.Host}:{cluster.Port}"]
            : cluster.SeedNodes.Select(s => $"akka.tcp://{SystemName}@{s.Host}:{s.Port}").ToList();
        if (cluster.SeedNodes.Count == 0 && cluster.Port == 0) seeds = []; // a free port is only known once bound: joined in code
        string Quote(string s) => JsonSerializer.Serialize(s);
        double pause = cluster.FailureTimeout.TotalSeconds, down = cluster.DownAfter.TotalSeconds;
        // members become Up (and the controller starts) once a majority of the seed nodes has joined: the majority
        // keep-majority needs anyway, and topics created meanwhile would get fewer replicas than the cluster has
        int minMembers = cluster.SeedNodes.Count / 2 + 1;
        return $$"""
            akka {
              actor.provider = cluster
              actor.serializers.golog-replication = "Golog.Cluster.ReplicationSerializer, Golog.Cluster"
              actor.serialization-bindings {
                "Golog.Core.Replication.ReplicaFetch, Golog.Core" = golog-replication
                "Golog.Core.Replication.ReplicaData, Golog.Core" = golog-replication
                "Golog.Core.Replication.ReplicaDiverging, Golog.Core" = golog-replication
                "Golog.Core.Replication.ReplicaRefused, Golog.Core" = golog-replication
                "Golog.Core.Replication.ReplicaProgress, Golog.Core" = golog-replication
              }
              remote.dot-netty.tcp {
                hostname = {{Quote(cluster.Host)}}
                port = {{cluster.Port}}
                # a replica fetch answer carries up to golog.fetch.max-bytes of batches
                maximum-frame-size = 16MiB
                send-buffer-size = 16MiB
                receive-buffer-size = 16MiB
              }
              cluster {
                seed-nodes = [{{string.Join(", ", seeds.Select(Quote))}}]
                min-nr-of-members = {{minMembers}}
                roles = ["golog-node-{{cluster.NodeId}}"]
                # how often the cluster leader marks silent nodes unreachable and moves downed ones out (both 1 s by
                # default): each tick is time a failover waits for, and a tick over a handful of members costs nothing
                unreachable-nodes-reaper-interval = 250ms
                leader-actions-interval = 250ms
                failure-detector {
                  heartbeat-interval = 500ms
                  acceptable-heartbeat-pause = {{pause.ToString(System.Globalization.CultureInfo.InvariantCulture)}}s
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{down.ToString(System.Globalization.CultureInfo.InvariantCulture)}}s
                }
                distributed-data {
                  durable.keys = ["golog-*"]
                  durable.store-actor-class = "Golog.Cluster.FileDurableStore, Golog.Cluster"
                  durable.golog-file.dir = {{Quote(MetadataDirectory(storageDirectory))}}
                  gossip-interval = 500ms
                  notify-subscribers-interval = 100ms
                }
                singleton.hand-over-retry-interval = 500ms
                # the controller of a downed node is started elsewhere at once (the singleton waits this long): its
                # writes need a majority, so a controller cut off with a minority could not change anything meanwhile
                down-removal-margin = 100ms
              }
            }
            """;
    }
}
