using Akka.Actor;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>Parent of the per-group <see cref="OffsetActor"/>s: validates group names and routes commits to their group.</summary>
public sealed class GroupManager : ReceiveActor
{
    private readonly BrokerSettings _settings;
    private bool _closed;

    public GroupManager(BrokerSettings settings)
    {
        _settings = settings;
        Receive<CommitCommand>(cmd => Route(cmd.Seq, cmd.Group, cmd));
        Receive<CommittedQuery>(cmd => Route(cmd.Seq, cmd.Group, cmd));
        ReceiveAsync<CloseForShutdown>(async _ =>
        {
            _closed = true;
            var replyTo = Sender;
            var results = await Task.WhenAll(Context.GetChildren().Select(c => c.Ask<Closed>(CloseForShutdown.Instance, TimeSpan.FromSeconds(30))));
            replyTo.Tell(new Closed(results.All(r => r.Clean)));
        });
    }

    public static Props Props(BrokerSettings settings) => Akka.Actor.Props.Create(() => new GroupManager(settings));

    private void Route(long seq, string group, object cmd)
    {
        if (!Names.IsValid(group))
        {
            Sender.Tell(new RequestFailed(seq, new ProtocolError(ErrorCode.InvalidGroupName,
                Names.Explain("group", group))));
            return;
        }
        if (_closed) // existing groups refuse by themselves; a new one would open an offsets file after the close
        {
            Sender.Tell(new RequestFailed(seq, new ProtocolError(ErrorCode.BrokerShuttingDown, "the broker is shutting down")));
            return;
        }
        var name = "group-" + group;
        var child = Context.Child(name);
        if (child.IsNobody()) child = Context.ActorOf(OffsetActor.Props(group, _settings), name);
        child.Forward(cmd);
    }
}
