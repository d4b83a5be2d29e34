using Golog.Core;

namespace Golog.Cluster;

// What nodes ask the controller (a cluster singleton, reached through its proxy on every node), and its answer.

/// <summary>A node's doors, so clients told to go to it (not_leader, metadata) know where.</summary>
public sealed record RegisterBroker(ClusterMember Broker);

public sealed record CreateTopicRequest(string Topic, int Partitions, int? ReplicationFactor, int? MinInsyncReplicas);

public sealed record GrowTopicRequest(string Topic, int Partitions);

/// <summary>
/// The controller's answer: <see cref="Code"/> null when the change is in the metadata a majority holds
/// (<see cref="Version"/>), else why not.
/// </summary>
public sealed record ControllerReply(long Version, BrokerErrorCode? Code = null, string? Message = null)
{
    public BrokerError? Error => Code is { } c ? new BrokerError(c, Message ?? "") : null;
}
