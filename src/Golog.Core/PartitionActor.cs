using Akka.Actor;
using Akka.Event;
using Golog.Core.Replication;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// Owns one partition's log. Every write goes through this mailbox, so writes are serialised without locks.
/// Appends are encoded as they arrive; a self-addressed FlushNow queued behind them writes them all at once and
/// starts one sync (on the <see cref="SyncWorker"/>) covering all of them: group commit. Acks leave when the sync
/// is done (flush.policy = always; interval and os acknowledge once written); reads are positional reads of what is
/// already acknowledged, never waiting for a sync. A partition found on disk opens its log on its first request (or
/// <see cref="OpenPartition"/>), not at start: a broker with thousands of partitions is serving as soon as it listens,
/// and holds memory and file handles only for partitions in use.
/// </summary>
public sealed partial class PartitionActor : CoreActor, IWithTimers
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }
    private sealed record SyncDone(int Generation, Exception? Error);
    private sealed record FetchExpired(long Ticket);
    private sealed record IntervalSync { public static readonly IntervalSync Instance = new(); }
    private sealed record RetentionCheck { public static readonly RetentionCheck Instance = new(); }
    // Duplicate: an idempotent producer's retry, answered with the original's offsets and not counted as produced again
    // Acks: when the producer hears back (see AcknowledgeDurable); Replica: a follower's copy of its leader's batches,
    // answered with the copy's position to its fetcher
    private readonly record struct Waiter(IActorRef ReplyTo, long Correlation, long BaseOffset, long LastOffset, long Bytes, bool Duplicate = false,
        Acks Acks = Acks.Leader, bool Replica = false, DateTime Since = default);
    private readonly record struct ParkedFetch(IActorRef ReplyTo, long Correlation, FetchCommand Fetch);

    private readonly TopicPartition _tp;
    private readonly KeyValuePair<string, object?> _topicTag;
    private readonly BrokerSettings _settings;
    private readonly SyncWorker _syncWorker;
    private readonly PartitionStatus _status;
    private readonly bool _cleanStart;
    private readonly bool _openAtStart;
    private readonly IFileSystem _files;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly GroupCommit<Waiter, LogPosition> _commit = new();
    private readonly LongPollQueue<ParkedFetch> _polls = new();
    private PartitionLog _partitionLog = null!; // null until opened
    private IOException? _unopenable; // why the log could not be opened
    private bool _flushQueued;
    private int _generation;
    private bool _closed;
    private BrokerError _closedError = BrokerError.ShuttingDown; // what requests reaching a closed partition hear
    private IActorRef? _closeRequestedBy; // a CloseForShutdown that waits for the sync in flight

    public PartitionActor(TopicPartition tp, BrokerSettings settings, SyncWorker syncWorker, PartitionStatus status, bool cleanStart,
        IFileSystem? files, bool openAtStart)
    {
        _tp = tp;
        _files = files ?? DiskFileSystem.Instance;
        _openAtStart = openAtStart;
        _topicTag = CoreMetrics.Topic(tp.Topic);
        _settings = settings;
        _syncWorker = syncWorker;
        _status = status;
        _cleanStart = cleanStart;
        _role = settings.Cluster.Enabled ? Role.Unassigned : Role.Single;
        ReceiveReplication();
        ReceiveCommand<ProduceCommand>(Produce);
        ReceiveCommand<AppendBatchCommand>(AppendBatch);
        Receive<FlushNow>(_ => Flush());
        Receive<SyncDone>(OnSyncDone);
        ReceiveCommand<FetchCommand>((id, cmd) => Fetch(new ParkedFetch(Sender, id, cmd)));
        Receive<FetchExpired>(e =>
        {
            if (_polls.TryExpire(e.Ticket, out var parked)) Serve(parked);
        });
        Receive<IntervalSync>(_ => SyncInBackground());
        Receive<RetentionCheck>(_ => ApplyRetention());
        Receive<OpenPartition>(_ => { }); // opened before it gets here (AroundReceive)
        Receive<CloseForShutdown>(_ => CloseAfterSync(Sender));
        Receive<CloseForDeletion>(_ =>
        {
            _closedError = new BrokerError(BrokerErrorCode.UnknownTopicOrPartition, $"topic \"{_tp.Topic}\" was deleted");
            CloseAfterSync(Sender);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// <paramref name="openAtStart"/>: open (or create) the log at once, as a new partition must, so that its directory
    /// exists; otherwise on the first request. <paramref name="cleanStart"/>: whether the log was closed cleanly.
    /// </summary>
    public static Props Props(TopicPartition tp, BrokerSettings settings, SyncWorker syncWorker, PartitionStatus status, bool cleanStart,
        IFileSystem? files = null, bool openAtStart = true) =>
        Akka.Actor.Props.Create(() => new PartitionActor(tp, settings, syncWorker, status, cleanStart, files, openAtStart))
            .WithDispatcher("golog-partition-dispatcher");

    protected override void PreStart()
    {
        if (_openAtStart && _role == Role.Single) OpenLog();
        // a cluster's partition opens once the metadata makes this node a replica; until then it has no bounds to
        // wait for (answers built from them read 0, as for a partition held elsewhere)
        if (_role == Role.Unassigned) _status.Abandon();
    }

    /// <summary>The first request to a partition not open yet opens it; if that fails, the request hears why.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is CoreRequest { Command: ProduceCommand or AppendBatchCommand or FetchCommand } led && RefusedByRole() is { } refusal)
        {
            Fail(Sender, led.Correlation, refusal);
            return true;
        }
        if (_partitionLog is null && !_closed && _unopenable is null && _role != Role.Unassigned && message is CoreRequest or OpenPartition && !OpenLog())
        {
            if (message is CoreRequest request) Fail(Sender, request.Correlation, UnopenableError(_unopenable!));
            return true;
        }
        return base.AroundReceive(receive, message);
    }

    /// <summary>Opens the log and publishes its bounds; false (and every later request answered storage_error) if it cannot be.</summary>
    private bool OpenLog()
    {
        var dir = StorageLayout.PartitionDirectory(_settings.StorageDirectory, _tp.Topic, _tp.Partition);
        try { _partitionLog = PartitionLog.Open(dir, _settings.LogFor(_tp.Topic), _cleanStart, Serilog.Log.ForContext("Partition", _tp.ToString()), _files); }
        catch (IOException e)
        {
            _log.Error(e, "Partition {Topic}-{Partition} cannot be opened; its requests get storage_error until the broker is restarted with the damage repaired",
                _tp.Topic, _tp.Partition);
            StorageMetrics.Errors.Add(1);
            _unopenable = e;
            Become(() => Unopenable(e));
            _status.Abandon();
            return false;
        }
        Publish();
        if (_settings.Flush.Mode == FlushMode.Interval)
            Timers.StartPeriodicTimer("interval-sync", IntervalSync.Instance, _settings.Flush.Interval);
        if (_partitionLog.Config.Retention.DeletesAnything)
            Timers.StartPeriodicTimer("retention", RetentionCheck.Instance, _settings.RetentionCheckInterval);
        _log.Debug("Partition {Topic}-{Partition} open: log start {LogStartOffset}, high watermark {HighWatermark}",
            _tp.Topic, _tp.Partition, _partitionLog.LogStartOffset, _partitionLog.HighWatermark);
        return true;
    }

    private BrokerError UnopenableError(IOException cause) =>
        new(BrokerErrorCode.StorageError, $"partition {_tp} could not be opened: {cause.Message}");

    /// <summary>The log could not be opened (damaged on disk, say): every request is answered, none is left hanging.</summary>
    private void Unopenable(IOException cause)
    {
        var error = UnopenableError(cause);
        Receive<CoreRequest>(r => Fail(Sender, r.Correlation, error));
        Receive<OpenPartition>(_ => { });
        Receive<CloseForShutdown>(_ => Sender.Tell(new Closed(false)));
        Receive<CloseForDeletion>(_ => Sender.Tell(new Closed(false)));
    }

    /// <summary>
    /// Stopped without a clean close (a failure): its waiting produces and parked fetches are answered, so no client
    /// waits for a reply that will never come; the next start recovers the tail.
    /// </summary>
    protected override void PostStop()
    {
        if (_closed || _partitionLog is null) return;
        var failure = new BrokerError(BrokerErrorCode.StorageError, $"partition {_tp} stopped after a failure; see the broker log");
        foreach (var w in _commit.TakeAll().Concat(_awaitingIsr)) FailWaiter(w, failure);
        foreach (var parked in _polls.TakeAll()) Fail(parked.ReplyTo, parked.Correlation, failure);
        _partitionLog.Dispose();
    }

    private void Produce(long id, ProduceCommand cmd) => AppendWith(id, cmd.Acks, () =>
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (cmd.Producer is { } producer) return _partitionLog.AppendIdempotent(cmd.Records, now, producer, _epoch);
        var (baseOffset, lastOffset) = _partitionLog.Append(cmd.Records, now, _epoch);
        return new ProducerAppendResult(ProducerAppendOutcome.Appended, baseOffset, lastOffset);
    });

    private void AppendBatch(long id, AppendBatchCommand cmd) => AppendWith(id, cmd.Acks, () => _partitionLog.AppendClientBatch(cmd.Batch, _epoch));

    /// <summary>
    /// Runs one append and has it acknowledged with the next flush. A duplicate of an idempotent producer's batch is
    /// answered with the original's offsets once those are acknowledged (at once, or with the next flush if the
    /// original still waits for it). A refused batch is answered at once, nothing stored.
    /// </summary>
    private void AppendWith(long id, Acks acks, Func<ProducerAppendResult> append)
    {
        if (_closed) { Fail(Sender, id, _closedError); return; }
        if (acks == Acks.All && _isr is { EnoughInSync: false } isr)
        {
            Fail(Sender, id, new BrokerError(BrokerErrorCode.NotEnoughReplicas,
                $"{_tp} has {isr.Isr.Count} in-sync replicas ({string.Join(",", isr.Isr)}), fewer than min.insync.replicas {isr.MinInsync}; acks=all cannot be met"));
            return;
        }
        try
        {
            var segment = _partitionLog.Active;
            long sizeBefore = segment.Size;
            var result = append();
            // a roll puts the batch alone in a new segment
            long bytes = ReferenceEquals(segment, _partitionLog.Active) ? segment.Size - sizeBefore : _partitionLog.Active.Size;
            switch (result.Outcome)
            {
                case ProducerAppendOutcome.Duplicate when result.LastOffset < _partitionLog.HighWatermark || (acks != Acks.All && result.LastOffset < _partitionLog.FlushedOffset):
                    Answer(Sender, id, new Produced(_tp.Topic, _tp.Partition, result.BaseOffset, result.LastOffset));
                    return;
                case ProducerAppendOutcome.Appended or ProducerAppendOutcome.Duplicate:
                    bool duplicate = result.Outcome == ProducerAppendOutcome.Duplicate;
                    _commit.Appended(new Waiter(Sender, id, result.BaseOffset, result.LastOffset, duplicate ? 0 : bytes, duplicate, acks, Since: DateTime.UtcNow));
                    break;
                default:
                    var code = result.Outcome == ProducerAppendOutcome.InvalidProducerEpoch
                        ? BrokerErrorCode.InvalidProducerEpoch
                        : BrokerErrorCode.OutOfOrderSequenceNumber;
                    Fail(Sender, id, new BrokerError(code, $"{_tp}: {result.Error}"));
                    return;
            }
        }
        catch (InvalidBatchException e)
        {
            Fail(Sender, id, new BrokerError(e.Reason == InvalidBatchReason.TooLarge ? BrokerErrorCode.MessageTooLarge : BrokerErrorCode.CorruptMessage,
                $"{_tp}: {e.Message}"));
            return;
        }
        catch (ArgumentException e)
        {
            Fail(Sender, id, new BrokerError(BrokerErrorCode.MessageTooLarge, e.Message));
            return;
        }
        catch (IOException e)
        {
            StorageMetrics.Errors.Add(1);
            Fail(Sender, id, BrokerError.Storage(e));
            FailPending(e);
            return;
        }
        QueueFlush();
    }

    private void QueueFlush()
    {
        if (!_flushQueued)
        {
            _flushQueued = true;
            Self.Tell(FlushNow.Instance); // runs after every append already in the mailbox
        }
    }

    /// <summary>
    /// Below this many pending bytes, appends that arrive while a sync runs are written when it ends, just before the
    /// next sync starts, rather than at once: they wait for that sync either way, and one write per sync instead of
    /// one per mailbox run saves system calls when many small produces trickle in. Larger amounts are written at
    /// once, so the write overlaps the running sync.
    /// </summary>
    private const long DeferredWriteBytes = 64 * 1024;

    private void Flush()
    {
        _flushQueued = false;
        if (!_commit.HasUnwritten) return;
        bool syncBeforeAck = _settings.Flush.Mode == FlushMode.Always;
        if (syncBeforeAck && _commit.SyncInFlight && _partitionLog.PendingBytes < DeferredWriteBytes) return; // OnSyncDone writes them
        LogPosition position;
        try { position = _partitionLog.WritePending(); }
        catch (IOException e) { StorageMetrics.Errors.Add(1); FailPending(e); return; }
        var written = _commit.Written(position, syncBeforeAck);
        ServeWaitingFollowers(position.NextOffset); // followers copy what is written; their copies are what acks=all waits for
        if (syncBeforeAck) StartSync();
        else
        {
            Acknowledge(written, position); // interval / os: acked once the OS has the bytes, as configured
            if (_partitionLog.SealsDue) SyncInBackground(); // a rolled segment's seal (fsync, then index) is due anyway
        }
    }

    private void StartSync()
    {
        if (!_commit.TryStartSync(out _)) return;
        int generation = _generation;
        var self = Self;
        // told from the sync thread itself: one thread hop less between the fsync and the acks
        _syncWorker.SyncAsync(_partitionLog.TakeUnsynced())
            .ContinueWith(t => self.Tell(new SyncDone(generation, t.Exception?.GetBaseException())), TaskContinuationOptions.ExecuteSynchronously);
    }

    private void OnSyncDone(SyncDone done)
    {
        if (done.Generation != _generation) return; // belongs to writes already failed or flushed at close
        if (done.Error is not null) { FailPending(done.Error); return; }
        var (durable, position) = _commit.SyncCompleted();
        CoreMetrics.GroupCommitMessages.Record(Acknowledge(durable, position));
        if (_closeRequestedBy is { } closer) Close(closer);
        else if (_commit.HasUnwritten) Flush(); // appends deferred during the sync: written now, and the next sync starts
        else StartSync(); // writes that arrived during the sync
    }

    /// <summary>Acknowledges <paramref name="waiters"/> up to <paramref name="position"/>; returns how many messages that was.</summary>
    private long Acknowledge(List<Waiter> waiters, LogPosition position)
    {
        if (position.NextOffset <= _partitionLog.LogEndOffset) _partitionLog.MarkFlushed(position); // a follower may have cut its tail since
        long messages = 0, bytes = 0;
        bool followerCopied = false;
        foreach (var w in waiters)
        {
            if (w.Replica) { followerCopied = true; continue; }
            if (!w.Duplicate)
            {
                messages += w.LastOffset - w.BaseOffset + 1;
                bytes += w.Bytes;
            }
            if (_role is Role.Follower or Role.Unassigned) // appended while leading; who leads now decides whether it stays
                Fail(w.ReplyTo, w.Correlation, NotLeaderError());
            else if (w.Acks == Acks.All && _isr is not null) _awaitingIsr.Add(w); // answered once the ISR has it (AdvanceHighWatermark)
            else Answer(w.ReplyTo, w.Correlation, new Produced(_tp.Topic, _tp.Partition, w.BaseOffset, w.LastOffset));
        }
        if (messages > 0)
        {
            CoreMetrics.ProducedMessages.Add(messages, _topicTag);
            CoreMetrics.ProducedBytes.Add(bytes, _topicTag);
        }
        AdvanceHighWatermark();
        if (followerCopied)
            foreach (var w in waiters.Where(w => w.Replica)) w.ReplyTo.Tell(new ReplicaDurable(_epoch, _partitionLog.FlushedOffset));
        return messages;
    }

    /// <summary>A write or sync failed: nothing unacknowledged may survive, so every waiter fails and the log goes back to its high watermark.</summary>
    private void FailPending(Exception error)
    {
        _log.Error(error, "Storage failure in partition {Topic}-{Partition}; failing {Waiting} waiting produce requests", _tp.Topic, _tp.Partition, _commit.Waiting);
        _generation++;
        var failure = BrokerError.Storage(error);
        foreach (var w in _commit.TakeAll().Concat(_awaitingIsr)) FailWaiter(w, failure);
        _awaitingIsr.Clear();
        _commit.ForgetSync();
        // fenced: nothing more is acknowledged before the log is cut back and re-read from the disk (a failed fsync
        // may have dropped written pages; trusting them would let a later sync "acknowledge" data that is gone)
        try { _partitionLog = _partitionLog.ReopenAfterFailure(); }
        catch (IOException e)
        {
            _log.Error(e, "Partition {Topic}-{Partition} could not discard unacknowledged data and re-read its log; it answers storage_error until the broker is restarted",
                _tp.Topic, _tp.Partition);
            Timers.CancelAll();
            Become(() => Unopenable(e));
            _status.Abandon();
            _closeRequestedBy?.Tell(new Closed(false));
            _closeRequestedBy = null;
            return;
        }
        Publish();
        if (_closeRequestedBy is { } closer) Close(closer); // no sync is in flight any more
    }

    private void SyncInBackground()
    {
        var job = _partitionLog.TakeUnsynced();
        if (job.IsEmpty) return;
        int generation = _generation;
        var self = Self;
        // what this fsync covered was acknowledged already (as interval / os promise), but nothing more may be:
        // the partition fails what waits and re-reads its durable state, as after a failed sync under always
        _syncWorker.SyncAsync(job).ContinueWith(
            t => self.Tell(new SyncDone(generation, t.Exception!.GetBaseException())),
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>
    /// Deletes expired closed segments. Runs in this mailbox, so it never overlaps a read (reads copy their bytes
    /// out before replying); a sync still queued for a deleted segment skips it.
    /// </summary>
    private void ApplyRetention()
    {
        if (_closed) return;
        try
        {
            if (_partitionLog.ApplyRetention(DateTime.UtcNow) > 0) Publish();
        }
        catch (IOException e)
        {
            // the segment is already out of the log (not served); its file stays until someone removes it
            _log.Error(e, "Retention could not delete a segment file of partition {Topic}-{Partition}; log start offset is {LogStartOffset}",
                _tp.Topic, _tp.Partition, _partitionLog.LogStartOffset);
            Publish();
        }
    }

    private void Fetch(ParkedFetch request)
    {
        var cmd = request.Fetch;
        if (_closed) { Fail(request.ReplyTo, request.Correlation, _closedError); return; }
        long start = _partitionLog.LogStartOffset, hw = _partitionLog.HighWatermark;
        if (cmd.Offset < start || cmd.Offset > hw)
        {
            string where = cmd.Offset < start ? $"below the log start offset {start}" : $"past the high watermark {hw}";
            Fail(request.ReplyTo, request.Correlation, new BrokerError(BrokerErrorCode.OffsetOutOfRange,
                $"offset {cmd.Offset} is {where} of {_tp}", start, hw));
            return;
        }
        if (cmd.Offset == hw && cmd.MaxWait > TimeSpan.Zero)
        {
            long ticket = _polls.Park(request, cmd.Offset);
            Timers.StartSingleTimer(ticket, new FetchExpired(ticket), cmd.MaxWait);
            return;
        }
        Serve(request);
    }

    private void Serve(ParkedFetch request)
    {
        var cmd = request.Fetch;
        try
        {
            var data = _partitionLog.Read(cmd.Offset, cmd.MaxBytes);
            CountFetched(data, cmd);
            Answer(request.ReplyTo, request.Correlation, new Fetched(_tp.Topic, _tp.Partition, data, cmd.Offset, cmd.MaxMessages,
                _partitionLog.HighWatermark, _partitionLog.LogStartOffset));
        }
        catch (IOException e)
        {
            // CorruptLogException included: a damaged batch is never served, the client learns where the damage is
            _log.Error(e, "Read failed in partition {Topic}-{Partition} at offset {Offset}", _tp.Topic, _tp.Partition, cmd.Offset);
            StorageMetrics.Errors.Add(1);
            Fail(request.ReplyTo, request.Correlation, BrokerError.Storage(e));
        }
    }

    // the running sync may hold a rolled segment's seal and the acks of what it covers: close after it
    private void CloseAfterSync(IActorRef replyTo)
    {
        if (_partitionLog is null) { CloseUnopened(replyTo); return; }
        if (_commit.SyncInFlight && !_closed) _closeRequestedBy = replyTo;
        else Close(replyTo);
    }

    /// <summary>
    /// Counts what the door will hand out: the whole batches' records from the fetch offset, at most its
    /// max messages (a batch the byte limit cut is not served). Reads batch headers only.
    /// </summary>
    private void CountFetched(ReadResult data, FetchCommand cmd)
    {
        if (!CoreMetrics.FetchedMessages.Enabled) return; // nothing listens: skip the header walk
        long messages = 0, bytes = 0;
        var rest = data.Bytes;
        while (messages < cmd.MaxMessages && RecordBatchReader.TryReadHeader(rest, rest.Length, out var batch) == BatchStatus.Ok)
        {
            messages += Math.Min(batch.NextOffset - Math.Max(batch.BaseOffset, cmd.Offset), cmd.MaxMessages - messages);
            bytes += batch.Size;
            rest = rest[batch.Size..];
        }
        if (messages <= 0) return;
        CoreMetrics.FetchedMessages.Add(messages, _topicTag);
        CoreMetrics.FetchedBytes.Add(bytes, _topicTag);
    }

    /// <summary>Clean shutdown: write and sync everything appended, acknowledge it, close files so the next start skips recovery.</summary>
    private void Close(IActorRef replyTo)
    {
        _closeRequestedBy = null;
        if (_closed) { replyTo.Tell(new Closed(true)); return; }
        bool clean = true;
        try
        {
            var position = _partitionLog.WritePending();
            _partitionLog.TakeUnsynced().Run();
            _generation++;
            _commit.ForgetSync();
            var all = _commit.TakeAll();
            Acknowledge(all, position);
            StopWaitingForReplicas(BrokerError.ShuttingDown);
            AnswerParkedFetchesEmpty();
            _partitionLog.Close();
        }
        catch (IOException e)
        {
            clean = false;
            FailPending(e);
            AnswerParkedFetchesEmpty();
            _partitionLog.Dispose();
        }
        _closed = true;
        replyTo.Tell(new Closed(clean));
    }

    /// <summary>Never opened: nothing to flush, but a tail not recovered since a crash must still be recovered by the next open.</summary>
    private void CloseUnopened(IActorRef replyTo)
    {
        _closed = true;
        replyTo.Tell(new Closed(true, _cleanStart ? null : [StorageLayout.PartitionDirectoryName(_tp.Topic, _tp.Partition)]));
    }

    private void AnswerParkedFetchesEmpty()
    {
        foreach (var parked in _polls.TakeAll())
            Answer(parked.ReplyTo, parked.Correlation, new Fetched(_tp.Topic, _tp.Partition, ReadResult.Empty, parked.Fetch.Offset,
                parked.Fetch.MaxMessages, _partitionLog.HighWatermark, _partitionLog.LogStartOffset));
    }

    private void Publish() =>
        _status.Publish(_partitionLog.LogStartOffset, _partitionLog.HighWatermark, _partitionLog.LogEndOffset, _partitionLog.SizeInBytes);
}

/// <summary>
/// From the topic manager when the partition's topic is deleted: close as for shutdown (what was appended is synced and
/// acknowledged, parked fetches answered), then answer later requests that the topic was deleted until stopped.
/// </summary>
internal sealed record CloseForDeletion
{
    public static readonly CloseForDeletion Instance = new();
}
