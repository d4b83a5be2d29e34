using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Golog.Broker.Groups;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>
/// One client socket. Cuts the byte stream into lines, decodes each request, sends it on, and writes the replies
/// back in request order. Writes are ack-based: one Tcp.Write in flight, replies that arrive meanwhile are
/// coalesced into the next one. Reading is suspended while too many requests are unanswered, so a client that
/// pipelines without reading cannot grow the broker's memory without bound.
/// </summary>
public sealed class ConnectionActor : ReceiveActor
{
    private sealed class WriteAck : Tcp.Event { public static readonly WriteAck Instance = new(); }

    private readonly IActorRef _connection;
    private readonly EndPoint _remote;
    private readonly IActorRef _topics;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LineFramer _framer;
    private readonly ReplySequencer<RequestContext> _sequencer = new();
    private readonly ReplyEncoder _encoder = new();
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private bool _writing;
    private bool _readingSuspended;
    private bool _closeWhenFlushed;

    public ConnectionActor(IActorRef connection, EndPoint remote, IActorRef topics, BrokerSettings settings)
    {
        _connection = connection;
        _remote = remote;
        _topics = topics;
        _settings = settings;
        _framer = new LineFramer(settings.MaxLineBytes);
        Receive<Tcp.Received>(r => OnReceived(r.Data));
        Receive<WriteAck>(_ => { _writing = false; FlushOutput(); });
        Receive<Tcp.ConnectionClosed>(c =>
        {
            _log.Info("Client {0} disconnected ({1})", _remote, c.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Tcp.CommandFailed>(f =>
        {
            _log.Warning("Client {0}: {1} failed; closing", _remote, f.Cmd.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<RequestFailed>(r => Complete(r.Seq, r));
        Receive<Produced>(r => Complete(r.Seq, r));
        Receive<Fetched>(r => Complete(r.Seq, r));
        Receive<CommitDone>(r => Complete(r.Seq, r));
        Receive<CommittedOffset>(r => Complete(r.Seq, r));
        Receive<TopicCreated>(r => Complete(r.Seq, r));
        Receive<MetadataResult>(r => Complete(r.Seq, r));
        Receive<GroupJoined>(r => Complete(r.Seq, r));
        Receive<GroupAcknowledged>(r => Complete(r.Seq, r));
        Receive<GroupDescribed>(r => Complete(r.Seq, r));
        Receive<GroupsListed>(r => Complete(r.Seq, r));
    }

    public static Props Props(IActorRef connection, EndPoint remote, IActorRef topics, BrokerSettings settings) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connection, remote, topics, settings));

    protected override void PreStart() => Context.Watch(_connection);

    private void OnReceived(ByteString data)
    {
        if (_closeWhenFlushed) return;
        _framer.Append(data.ToReadOnlySpan()); // Received data is compact (one buffer): no copy here
        while (true)
        {
            var status = _framer.TryReadLine(out var line);
            if (status == FrameStatus.NeedMore) break;
            if (status == FrameStatus.TooLong)
            {
                RejectOversizedLine();
                break;
            }
            Handle(line);
        }
        if (_sequencer.Pending >= _settings.MaxInFlightPerConnection && !_readingSuspended)
        {
            _readingSuspended = true;
            _connection.Tell(Tcp.SuspendReading.Instance);
        }
        FlushOutput();
    }

    private void Handle(ReadOnlySpan<byte> line)
    {
        var parsed = RequestParser.Parse(line);
        var request = parsed.Request;
        long seq = _sequencer.Register(new RequestContext(parsed.Id));
        if (parsed.Error is { } error) { Complete(seq, new RequestFailed(seq, error)); return; }
        object? command = request!.Type switch
        {
            RequestType.Produce => ToProduce(seq, request),
            RequestType.Fetch => new FetchCommand(seq, request.Topic!, request.Partition!.Value, request.Offset!.Value,
                request.IsFramed ? request.MaxMessages ?? _settings.DefaultFetchMaxMessages : _settings.SeedFetchMaxMessages,
                request.MaxBytes ?? _settings.DefaultFetchMaxBytes,
                TimeSpan.FromMilliseconds(Math.Min(request.MaxWaitMs ?? 0, _settings.MaxFetchWait.TotalMilliseconds))),
            RequestType.Commit => new CommitCommand(seq, request.Group!, new TopicPartition(request.Topic!, request.Partition!.Value), request.Offset!.Value,
                request.MemberId is { } member ? new MemberGeneration(member, request.GenerationId!.Value) : null),
            RequestType.Committed => new CommittedQuery(seq, request.Group!, new TopicPartition(request.Topic!, request.Partition!.Value)),
            RequestType.CreateTopic => new CreateTopicCommand(seq, request.Topic!, request.Partitions!.Value),
            RequestType.Metadata => new MetadataQuery(seq, request.Topic),
            RequestType.JoinGroup => new JoinGroupCommand(seq, request.Group!, request.MemberId, request.ClientId ?? "consumer", request.Topics,
                request.SessionTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null),
            RequestType.Heartbeat => new HeartbeatCommand(seq, request.Group!, new MemberGeneration(request.MemberId!, request.GenerationId!.Value)),
            RequestType.LeaveGroup => new LeaveGroupCommand(seq, request.Group!, request.MemberId!),
            RequestType.DescribeGroup => new DescribeGroupQuery(seq, request.Group!),
            RequestType.ListGroups => new ListGroupsQuery(seq),
            _ => null,
        };
        if (command is RequestFailed failed) Complete(seq, failed);
        else _topics.Tell(command);
    }

    private object ToProduce(long seq, Request request)
    {
        if (request.Messages.Length > _settings.MaxBatchMessages)
            return new RequestFailed(seq, new ProtocolError(ErrorCode.RequestTooLarge,
                $"batch of {request.Messages.Length} messages exceeds the broker's limit of {_settings.MaxBatchMessages} (request.max-batch-messages)"));
        foreach (var m in request.Messages)
            if (m.Length > _settings.MaxMessageBytes)
                return new RequestFailed(seq, new ProtocolError(ErrorCode.MessageTooLarge,
                    $"message of {m.Length} bytes exceeds the broker's limit of {_settings.MaxMessageBytes} bytes (request.max-message-bytes)"));
        var headers = request.Headers.Select(h => new RecordHeader(h.Key, h.Value)).ToArray();
        return new ProduceCommand(seq, request.Topic!, request.Partition,
            new RecordsToAppend(request.Messages, request.Key, headers));
    }

    private void Complete(long seq, object reply)
    {
        if (!_sequencer.TryGetContext(seq, out var ctx)) return;
        _sequencer.Complete(seq, _encoder.Encode(ctx, reply), _output);
        if (_readingSuspended && _sequencer.Pending <= _settings.MaxInFlightPerConnection / 2)
        {
            _readingSuspended = false;
            _connection.Tell(Tcp.ResumeReading.Instance);
        }
        FlushOutput();
    }

    /// <summary>The rest of an oversized line cannot be framed: answer request_too_large and close once it is sent.</summary>
    private void RejectOversizedLine()
    {
        var probe = _framer.Peek(4096);
        bool framed = probe.IndexOf("\"id\""u8) >= 0;
        var error = new ProtocolError(ErrorCode.RequestTooLarge,
            $"request line exceeds the broker's limit of {_settings.MaxLineBytes} bytes (request.max-line-bytes); closing the connection");
        long seq = _sequencer.Register(new RequestContext(framed ? new RequestId("null"u8.ToArray()) : null));
        _log.Warning("Client {0} sent a request line over {1} bytes; closing", _remote, _settings.MaxLineBytes);
        _framer.Clear();
        Complete(seq, new RequestFailed(seq, error));
        _closeWhenFlushed = true;
        FlushOutput();
    }

    private void FlushOutput()
    {
        if (_writing) return;
        if (_output.WrittenCount == 0)
        {
            if (_closeWhenFlushed) _connection.Tell(Tcp.Close.Instance);
            return;
        }
        var data = MemoryMarshal.TryGetArray(_output.WrittenMemory, out var segment)
            ? ByteString.CopyFrom(segment)
            : ByteString.CopyFrom(_output.WrittenSpan.ToArray());
        _output.ResetWrittenCount();
        _writing = true;
        _connection.Tell(Tcp.Write.Create(data, WriteAck.Instance));
    }
}
