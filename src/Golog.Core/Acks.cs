namespace Golog.Core;

/// <summary>
/// When a produce is acknowledged (Kafka's acks): <see cref="All"/> once every in-sync replica has the batch durable
/// under the flush policy, <see cref="Leader"/> once the leader has, <see cref="None"/> without waiting for anyone.
/// On one node the leader is every in-sync replica, so All and Leader are the same moment.
/// </summary>
public enum Acks
{
    All,
    Leader,
    None,
}
