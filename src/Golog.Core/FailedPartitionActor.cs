using Akka.Actor;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// Stands in the routing table for a partition actor that stopped after a failure, so requests routed to the
/// partition get storage_error instead of vanishing into dead letters; the next start recovers the partition.
/// </summary>
public sealed class FailedPartitionActor : CoreActor
{
    public FailedPartitionActor(TopicPartition tp)
    {
        var error = new BrokerError(BrokerErrorCode.StorageError, $"partition {tp} stopped after a failure; see the broker log");
        Receive<CoreRequest>(r => Fail(Sender, r.Correlation, error));
        Receive<CloseForShutdown>(_ => Sender.Tell(new Closed(false)));
        Receive<CloseForDeletion>(_ => Sender.Tell(new Closed(false)));
    }

    public static Props Props(TopicPartition tp) => Akka.Actor.Props.Create(() => new FailedPartitionActor(tp));
}
