using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Golog.Core;
using Golog.Protocol;

namespace Golog.Broker.Doors;

/// <summary>
/// One client socket of any door: the Akka.IO plumbing every wire shares. Received bytes go to the door's codec,
/// which cuts them into requests; each goes to the core (<see cref="BrokerCore"/>) and its reply is encoded by the
/// codec and written back in request order (<see cref="ReplySequencer{TContext}"/>). Writes are ack-based: one
/// Tcp.Write in flight, replies that arrive meanwhile are coalesced into the next one. Requests are taken only while
/// the <see cref="ConnectionBudget"/> allows (unanswered requests, reply bytes owed or unsent); otherwise bytes wait in
/// the input buffer and socket reading is suspended, so a client that pipelines without reading cannot grow the
/// broker's memory without bound. A periodic check closes a connection that is idle (golog.connections.idle-timeout),
/// stalls in the middle of a request (golog.connections.partial-line-timeout) or whose client stopped taking its
/// replies (golog.connections.write-timeout).
/// Two states: serving, and closing (the stream cannot be framed any more: answer what was taken, then close).
/// </summary>
public sealed class ConnectionActor<TContext> : ReceiveActor, IWithTimers
{
    private sealed class WriteAck : Tcp.Event { public static readonly WriteAck Instance = new(); }
    private sealed class CheckTimeouts { public static readonly CheckTimeouts Instance = new(); }

    private const int InitialBufferBytes = 4096;

    private readonly IActorRef _connection;
    private readonly KeyValuePair<string, object?> _doorTag;
    private readonly Dictionary<long, (long Started, string Request)> _timings = []; // only while request durations are collected
    private readonly EndPoint _remote;
    private readonly BrokerCore _core;
    private readonly IWireCodec<TContext> _codec;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InputBuffer _input = new(InitialBufferBytes);
    private readonly ReplySequencer<TContext> _sequencer = new();
    private readonly ArrayBufferWriter<byte> _output = new(InitialBufferBytes);
    private readonly ConnectionBudget _budget;
    private readonly RequestParts _parts = new();
    private bool _writing;
    private int _writingBytes;
    private bool _readingSuspended;
    private bool _closing;
    private long? _orderingBarrier; // a produce the core routed the slow way: nothing after it is taken until it is answered
    private long _lastActivityMs = Environment.TickCount64; // last complete request or reply
    private long _writeStartedMs;
    private long _requestStartedMs; // when the oldest request not yet taken began to arrive, at the latest

    public ITimerScheduler Timers { get; set; } = null!;

    public ConnectionActor(string door, IActorRef connection, EndPoint remote, BrokerCore core, IWireCodec<TContext> codec, BrokerSettings settings)
    {
        _doorTag = DoorMetrics.Door(door);
        _connection = connection;
        _remote = remote;
        _core = core;
        _codec = codec;
        _settings = settings;
        _budget = new ConnectionBudget(settings.MaxInFlightPerConnection, settings.MaxPendingReplyBytes);
        Serving();
    }

    public static Props Props(string door, IActorRef connection, EndPoint remote, BrokerCore core, IWireCodec<TContext> codec, BrokerSettings settings) =>
        Akka.Actor.Props.Create(() => new ConnectionActor<TContext>(door, connection, remote, core, codec, settings));

    protected override void PreStart()
    {
        DoorMetrics.Connections.Add(1, _doorTag);
        Context.Watch(_connection);
        var every = TimeSpan.FromTicks(new[] { _settings.IdleTimeout, _settings.WriteTimeout, _settings.PartialLineTimeout }.Min().Ticks / 4);
        Timers.StartPeriodicTimer(CheckTimeouts.Instance, CheckTimeouts.Instance, every);
    }

    protected override void PostStop() => DoorMetrics.Connections.Add(-1, _doorTag);

    private void Serving()
    {
        Receive<Tcp.Received>(r => OnReceived(r.Data));
        Receive<CoreReply>(OnReply);
        Receive<WriteAck>(_ => OnWriteAck());
        Receive<CheckTimeouts>(_ => OnCheckTimeouts());
        ReceiveClosed();
    }

    /// <summary>The stream cannot be framed any more: nothing more is read; answers already due are sent, then the socket closes.</summary>
    private void Closing()
    {
        Receive<Tcp.Received>(_ => { });
        Receive<CoreReply>(OnReply);
        Receive<WriteAck>(_ => OnWriteAck());
        Receive<CheckTimeouts>(_ => OnCheckTimeouts());
        ReceiveClosed();
    }

    private void ReceiveClosed()
    {
        Receive<Tcp.ConnectionClosed>(c =>
        {
            _log.Debug("Client {Remote} disconnected ({Reason})", _remote, c.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Tcp.CommandFailed>(f =>
        {
            _log.Warning("Client {Remote}: {Command} failed; closing", _remote, f.Cmd.GetType().Name);
            Context.Stop(Self);
        });
        Receive<Terminated>(_ => Context.Stop(Self));
    }

    private void OnReceived(ByteString data)
    {
        if (_input.Length == 0) _requestStartedMs = Environment.TickCount64;
        _input.Append(data.ToReadOnlySpan()); // Received data is compact (one buffer): no copy there
        TakeRequests();
    }

    private void OnReply(CoreReply reply)
    {
        if (!_parts.TryAnswer(reply.Correlation, reply.Result, out var complete)) Complete(reply.Correlation, reply.Result);
        else if (complete is var (seq, results)) Complete(seq, results);
        TakeRequests();
    }

    private void OnWriteAck()
    {
        _writing = false;
        _writingBytes = 0;
        TakeRequests();
    }

    /// <summary>Handles the whole requests already received, as far as the budget allows, then writes and adjusts reading.</summary>
    private void TakeRequests()
    {
        while (!_closing && _orderingBarrier is null && _input.Length > 0 && !_budget.IsSpent(_sequencer.Pending, Unsent))
        {
            int consumed = _codec.Decode(_input.Span, out var request);
            if (consumed == 0) break;
            _input.Consume(consumed);
            Handle(request);
        }
        FlushOutput();
        UpdateReading();
    }

    private void Handle(in DecodedRequest<TContext> request)
    {
        _lastActivityMs = _requestStartedMs = Environment.TickCount64;
        long seq = _sequencer.Register(request.Context);
        if (request.Close)
        {
            _log.Warning("Client {Remote} sent a request the broker cannot frame ({Reason}); closing", _remote, request.Error?.Message);
            _closing = true;
            _input.Clear();
            Become(Closing);
        }
        if (request.Error is { } error) { Complete(seq, new Failed(error)); return; }
        if (request.Answer is { } answer) { Complete(seq, answer); return; }
        if (DoorMetrics.RequestDuration.Enabled && (request.Command ?? request.Parts?.FirstOrDefault()) is { } timed)
            _timings[seq] = (Stopwatch.GetTimestamp(), DoorMetrics.RequestName(timed));
        if (request.ReplyBytes > 0) _budget.Reserve(seq, request.ReplyBytes);
        if (request.Parts is { } parts) SendParts(seq, parts);
        else if (!_core.Send(seq, request.Command!, Self)) _orderingBarrier = seq; // see BrokerCore's remarks
    }

    private void SendParts(long seq, IReadOnlyList<ICoreCommand> parts)
    {
        if (parts.Count == 0) { Complete(seq, new PartResults([])); return; }
        var correlations = _parts.Start(seq, parts.Count);
        for (int i = 0; i < parts.Count; i++)
            if (!_core.Send(correlations[i], parts[i], Self)) _orderingBarrier = seq;
    }

    private void Complete(long seq, ICoreResult result)
    {
        if (!_sequencer.TryGetContext(seq, out var context)) return;
        if (_orderingBarrier == seq) _orderingBarrier = null;
        _budget.Release(seq);
        _sequencer.Complete(seq, _codec.Encode(context, result), _output);
        if (result is Failed failed) DoorMetrics.RejectedRequests.Add(1, _doorTag, new("code", failed.Error.Code.Wire().Json));
        if (_timings.Remove(seq, out var timing))
            DoorMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(timing.Started).TotalSeconds, _doorTag, new("request", timing.Request));
        _lastActivityMs = Environment.TickCount64;
    }

    /// <summary>Reply bytes the client has not taken yet: waiting for an earlier reply, to be written, or written and not acknowledged.</summary>
    private long Unsent => _sequencer.EarlyBytes + _output.WrittenCount + _writingBytes;

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
            _requestStartedMs = Environment.TickCount64; // a request cut short by the suspension starts its clock again
            _connection.Tell(Tcp.ResumeReading.Instance);
        }
    }

    private void OnCheckTimeouts()
    {
        long now = Environment.TickCount64;
        if (_writing && now - _writeStartedMs > _settings.WriteTimeout.TotalMilliseconds)
        {
            _log.Warning("Client {Remote} has not taken its replies for {Timeout}; closing (golog.connections.write-timeout)", _remote, _settings.WriteTimeout);
            _connection.Tell(Tcp.Abort.Instance);
            Context.Stop(Self);
        }
        // bytes buffered while requests may be taken can only be an incomplete request
        else if (_input.Length > 0 && _orderingBarrier is null && !_readingSuspended && !_budget.IsSpent(_sequencer.Pending, Unsent)
                 && now - _requestStartedMs > _settings.PartialLineTimeout.TotalMilliseconds)
        {
            _log.Info("Client {Remote} sent part of a request and stalled for {Timeout}; closing (golog.connections.partial-line-timeout)", _remote, _settings.PartialLineTimeout);
            _connection.Tell(Tcp.Close.Instance);
            Timers.CancelAll(); // ConnectionClosed stops this actor
        }
        else if (!_writing && _sequencer.Pending == 0 && now - _lastActivityMs > _settings.IdleTimeout.TotalMilliseconds)
        {
            _log.Info("Client {Remote} idle for {Timeout}; closing (golog.connections.idle-timeout)", _remote, _settings.IdleTimeout);
            _connection.Tell(Tcp.Close.Instance);
            Timers.CancelAll(); // ConnectionClosed stops this actor
        }
    }

    private void FlushOutput()
    {
        if (_writing) return;
        if (_output.WrittenCount == 0)
        {
            if (_closing && _sequencer.Pending == 0) _connection.Tell(Tcp.Close.Instance);
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
