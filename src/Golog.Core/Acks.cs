namespace Golog.Core;

/// <summary>
/// When a produce is answered (Kafka's acks). <see cref="All"/>: once every in-sync replica has the batch durable
/// under the flush policy (one node: once it is durable here), refused with not_enough_replicas while the in-sync
/// replicas are fewer than the topic's min.insync.replicas. <see cref="Leader"/>: once the leader has it durable.
/// <see cref="None"/>: as soon as the leader has appended it, before it is durable anywhere.
/// </summary>
public enum Acks
{
    All,
    Leader,
    None,
}
