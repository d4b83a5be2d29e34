using Akka.Actor;
using Golog.Storage;

namespace Golog.Core;

/// <summary>Gives Kafka idempotent producers their ids (<see cref="InitProducerIdCommand"/>): a thin shell over <see cref="ProducerIdStore"/>.</summary>
public sealed class ProducerIdActor : CoreActor
{
    private ProducerIdStore? _store;
    private IOException? _unopenable;

    public ProducerIdActor(string storageDirectory)
    {
        try { _store = ProducerIdStore.Open(DiskFileSystem.Instance, storageDirectory); }
        catch (IOException e)
        {
            _unopenable = e;
            Serilog.Log.Error(e, "Producer ids cannot be handed out: idempotent Kafka producers get storage_error until this is repaired");
        }
        ReceiveCommand<InitProducerIdCommand>((id, _) => Allocate(id));
    }

    // a block reservation fsyncs (once per ProducerIdStore.BlockSize ids): the group dispatcher's threads may block on the disk
    public static Props Props(string storageDirectory) =>
        Akka.Actor.Props.Create(() => new ProducerIdActor(storageDirectory)).WithDispatcher("golog-group-dispatcher");

    private void Allocate(long id)
    {
        if (_store is null) { Fail(Sender, id, BrokerError.Storage(_unopenable!)); return; }
        try { Answer(Sender, id, new ProducerIdAssigned(_store.Allocate(), 0)); }
        catch (IOException e) { Fail(Sender, id, BrokerError.Storage(e)); }
    }
}
