using Akka.Actor;
using Akka.Event;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>
/// One consumer group's committed offsets. Commits waiting in the mailbox are written with one fsync (the same
/// group-commit idiom as partitions) and acknowledged only after it.
/// </summary>
public sealed class OffsetActor : ReceiveActor
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }

    private readonly string _group;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(IActorRef ReplyTo, CommitCommand Commit)> _pending = [];
    private OffsetStore _store = null!;
    private bool _closed;

    public OffsetActor(string group, BrokerSettings settings)
    {
        _group = group;
        _settings = settings;
        Receive<CommitCommand>(cmd =>
        {
            if (_closed) { Sender.Tell(new RequestFailed(cmd.Seq, new ProtocolError(ErrorCode.BrokerShuttingDown, "the broker is shutting down"))); return; }
            if (_pending.Count == 0) Self.Tell(FlushNow.Instance);
            _pending.Add((Sender, cmd));
        });
        Receive<FlushNow>(_ => Flush());
        Receive<CommittedQuery>(q =>
        {
            Flush(); // a commit still waiting in this actor must be visible to a query that follows it
            Sender.Tell(new CommittedOffset(q.Seq, _store.Get(q.Partition)));
        });
        Receive<CloseForShutdown>(_ =>
        {
            Flush();
            _closed = true;
            _store.Dispose();
            Sender.Tell(new Closed(true));
        });
    }

    public static Props Props(string group, BrokerSettings settings) =>
        Akka.Actor.Props.Create(() => new OffsetActor(group, settings)).WithDispatcher("golog-storage-dispatcher");

    protected override void PreStart() =>
        _store = OffsetStore.Open(StorageLayout.GroupOffsetsFile(_settings.StorageDirectory, _group), Serilog.Log.Logger);

    protected override void PostStop()
    {
        if (!_closed) _store?.Dispose();
    }

    private void Flush()
    {
        if (_pending.Count == 0) return;
        try
        {
            _store.Commit(_pending.Select(p => KeyValuePair.Create(p.Commit.Partition, p.Commit.Offset)).ToList());
            foreach (var (replyTo, commit) in _pending) replyTo.Tell(new CommitDone(commit.Seq));
        }
        catch (IOException e)
        {
            _log.Error(e, "Could not persist offsets of group {0}", _group);
            foreach (var (replyTo, commit) in _pending)
                replyTo.Tell(new RequestFailed(commit.Seq, new ProtocolError(ErrorCode.StorageError, "storage failure: " + e.Message)));
        }
        _pending.Clear();
    }
}
