using Akka.Actor;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// Gives idempotent producers their ids (<see cref="InitProducerIdCommand"/>): a thin shell over <see cref="ProducerIdStore"/>.
/// On a cluster every node hands them out, and they must differ across nodes (a partition tells producers apart by
/// id alone: two sharing one would have the second's batches refused out of order, or taken for the first's retries
/// and answered without being stored), so node n's ids are n × 2^32 onwards; one node (node id 0) counts from 0.
/// </summary>
public sealed class ProducerIdActor : CoreActor
{
    /// <summary>Ids one node may hand out (its store counts from 0 up to this, then refuses).</summary>
    public const long IdsPerNode = 1L << 32;

    private readonly int _nodeId;
    private ProducerIdStore? _store;
    private IOException? _unopenable;

    public ProducerIdActor(string storageDirectory, int nodeId)
    {
        _nodeId = nodeId;
        try { _store = ProducerIdStore.Open(DiskFileSystem.Instance, storageDirectory); }
        catch (IOException e)
        {
            _unopenable = e;
            Serilog.Log.Error(e, "Producer ids cannot be handed out: idempotent Kafka producers get storage_error until this is repaired");
        }
        ReceiveCommand<InitProducerIdCommand>((id, _) => Allocate(id));
    }

    // a block reservation fsyncs (once per ProducerIdStore.BlockSize ids): the group dispatcher's threads may block on the disk
    public static Props Props(string storageDirectory, int nodeId) =>
        Akka.Actor.Props.Create(() => new ProducerIdActor(storageDirectory, nodeId)).WithDispatcher("golog-group-dispatcher");

    private void Allocate(long id)
    {
        if (_store is null) { Fail(Sender, id, BrokerError.Storage(_unopenable!)); return; }
        try
        {
            long local = _store.Allocate();
            if (local >= IdsPerNode)
            {
                Fail(Sender, id, new BrokerError(BrokerErrorCode.StorageError, $"node {_nodeId} has handed out all of its {IdsPerNode} producer ids"));
                return;
            }
            Answer(Sender, id, new ProducerIdAssigned(_nodeId * IdsPerNode + local, 0));
        }
        catch (IOException e) { Fail(Sender, id, BrokerError.Storage(e)); }
    }
}
