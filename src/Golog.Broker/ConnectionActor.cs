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
/// coalesced into the next one. Requests are taken only while the <see cref="ConnectionBudget"/> allows (unanswered
/// requests, reply bytes owed or unsent); otherwise lines wait in the framer and socket reading is suspended, so a
/// client that pipelines without reading cannot grow the broker's memory without bound.
/// A periodic check closes a connection that is idle (golog.connections.idle-timeout), stalls in the middle of a
/// request line (golog.connections.partial-line-timeout) or whose client stopped taking its replies
/// (golog.connections.write-timeout).
/// </summary>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    private sealed class WriteAck : Tcp.Event { public static readonly WriteAck Instance = new(); }
    private sealed class CheckTimeouts { public static readonly CheckTimeouts Instance = new(); }

    private readonly IActorRef _connection;
    private readonly EndPoint _remote;
    private readonly IActorRef _topics;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LineFramer _framer;
    private readonly ReplySequencer<RequestContext> _sequencer = new();
    private readonly ReplyEncoder _encoder = new();
    // Buffers start small and grow on demand: thousands of mostly idle connections must not cost 64 KiB each.
    private const int InitialBufferBytes = 4096;
    private readonly ArrayBufferWriter<byte> _output = new(InitialBufferBytes);
    private readonly ConnectionBudget _budget;
    private bool _writing;
    private int _writingBytes;
    private bool _readingSuspended;
    private bool _closeWhenFlushed;
    private long _lastActivityMs = Environment.TickCount64; // last complete request line or reply
    private long _writeStartedMs;
    private long _lineStartedMs; // when the oldest request line not yet taken began to arrive, at the latest

    public ITimerScheduler Timers { get; set; } = null!;

    public ConnectionActor(IActorRef connection, EndPoint remote, IActorRef topics, BrokerSettings settings)
    {
        _connection = connection;
        _remote = remote;
        _topics = topics;
        _settings = settings;
        _framer = new LineFramer(settings.MaxLineBytes, InitialBufferBytes);
        _budget = new ConnectionBudget(settings.MaxInFlightPerConnection, settings.MaxPendingReplyBytes);
        Receive<Tcp.Received>(r => OnReceived(r.Data));
        Receive<WriteAck>(_ =>
        {
            _writing = false;
            _writingBytes = 0;
            TakeRequests();
        });
        Receive<CheckTimeouts>(_ => OnCheckTimeouts());
        Receive<Tcp.ConnectionClosed>(c =>
        {
            _log.Debug("Client {0} disconnected ({1})", _remote, c.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Tcp.CommandFailed>(f =>
        {
            _log.Warning("Client {0}: {1} failed; closing", _remote, f.Cmd.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<RequestFailed>(r => OnReply(r.Seq, r));
        Receive<Produced>(r => OnReply(r.Seq, r));
        Receive<Fetched>(r => OnReply(r.Seq, r));
        Receive<CommitDone>(r => OnReply(r.Seq, r));
        Receive<CommittedOffset>(r => OnReply(r.Seq, r));
        Receive<TopicCreated>(r => OnReply(r.Seq, r));
        Receive<MetadataResult>(r => OnReply(r.Seq, r));
        Receive<GroupJoined>(r => OnReply(r.Seq, r));
        Receive<GroupAcknowledged>(r => OnReply(r.Seq, r));
        Receive<GroupDescribed>(r => OnReply(r.Seq, r));
        Receive<GroupsListed>(r => OnReply(r.Seq, r));
    }

    public static Props Props(IActorRef connection, EndPoint remote, IActorRef topics, BrokerSettings settings) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(connection, remote, topics, settings));

    protected override void PreStart()
    {
        Context.Watch(_connection);
        var every = TimeSpan.FromTicks(new[] { _settings.IdleTimeout, _settings.WriteTimeout, _settings.PartialLineTimeout }.Min().Ticks / 4);
        Timers.StartPeriodicTimer(CheckTimeouts.Instance, CheckTimeouts.Instance, every);
    }

    private void OnReceived(ByteString data)
    {
        if (_closeWhenFlushed) return;
        if (_framer.Buffered == 0) _lineStartedMs = Environment.TickCount64;
        _framer.Append(data.ToReadOnlySpan()); // Received data is compact (one buffer): no copy here
        TakeRequests();
    }

    private void OnReply(long seq, object reply)
    {
        Complete(seq, reply);
        TakeRequests();
    }

    /// <summary>Handles the complete lines already received, as far as the budget allows, then writes and adjusts reading.</summary>
    private void TakeRequests()
    {
        while (!_closeWhenFlushed && !_budget.IsSpent(_sequencer.Pending, Unsent))
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
        FlushOutput();
        UpdateReading();
    }

    /// <summary>Reply bytes the client has not taken yet: waiting to be written, or written and not acknowledged.</summary>
    private long Unsent => _output.WrittenCount + _writingBytes;

    /// <summary>Stops reading while the budget is spent; resumes once half of it is free again.</summary>
    private void UpdateReading()
    {
        if (!_readingSuspended && _budget.IsSpent(_sequencer.Pending, Unsent))
        {
            _readingSuspended = true;
            _connection.Tell(Tcp.SuspendReading.Instance);
        }
        else if (_readingSuspended && _budget.IsHalfFree(_sequencer.Pending, Unsent))
        {
            _readingSuspended = false;
            _connection.Tell(Tcp.ResumeReading.Instance);
        }
    }

    private void OnCheckTimeouts()
    {
        long now = Environment.TickCount64;
        if (_writing && now - _writeStartedMs > _settings.WriteTimeout.TotalMilliseconds)
        {
            _log.Warning("Client {0} has not taken its replies for {1}; closing (golog.connections.write-timeout)", _remote, _settings.WriteTimeout);
            _connection.Tell(Tcp.Abort.Instance);
            Context.Stop(Self);
        }
        // bytes buffered while the budget allows taking requests can only be an incomplete line
        else if (_framer.Buffered > 0 && !_budget.IsSpent(_sequencer.Pending, Unsent) && now - _lineStartedMs > _settings.PartialLineTimeout.TotalMilliseconds)
        {
            _log.Info("Client {0} sent part of a request line and stalled for {1}; closing (golog.connections.partial-line-timeout)", _remote, _settings.PartialLineTimeout);
            _connection.Tell(Tcp.Close.Instance);
            Timers.CancelAll(); // ConnectionClosed stops this actor
        }
        else if (!_writing && _sequencer.Pending == 0 && now - _lastActivityMs > _settings.IdleTimeout.TotalMilliseconds)
        {
            _log.Info("Client {0} idle for {1}; closing (golog.connections.idle-timeout)", _remote, _settings.IdleTimeout);
            _connection.Tell(Tcp.Close.Instance);
            Timers.CancelAll(); // ConnectionClosed stops this actor
        }
    }

    private void Handle(ReadOnlySpan<byte> line)
    {
        _lastActivityMs = _lineStartedMs = Environment.TickCount64;
        var parsed = RequestParser.Parse(line);
        var request = parsed.Request;
        long seq = _sequencer.Register(new RequestContext(parsed.Id));
        if (parsed.Error is { } error) { Complete(seq, new RequestFailed(seq, error)); return; }
        object? command = request!.Type switch
        {
            RequestType.Produce => ToProduce(seq, request),
            RequestType.Fetch => ToFetch(seq, request),
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

    private FetchCommand ToFetch(long seq, Request request)
    {
        int maxBytes = Math.Min(request.MaxBytes ?? _settings.DefaultFetchMaxBytes, _settings.MaxFetchBytes);
        _budget.Reserve(seq, maxBytes);
        return new FetchCommand(seq, request.Topic!, request.Partition!.Value, request.Offset!.Value,
            request.IsFramed ? request.MaxMessages ?? _settings.DefaultFetchMaxMessages : _settings.SeedFetchMaxMessages,
            maxBytes, TimeSpan.FromMilliseconds(Math.Min(request.MaxWaitMs ?? 0, _settings.MaxFetchWait.TotalMilliseconds)));
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
        _budget.Release(seq);
        _sequencer.Complete(seq, _encoder.Encode(ctx, reply), _output);
        _lastActivityMs = Environment.TickCount64;
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
        _writingBytes = data.Count;
        _writeStartedMs = Environment.TickCount64;
        _connection.Tell(Tcp.Write.Create(data, WriteAck.Instance));
    }
}
