using System.Runtime.ExceptionServices;
using System.Text;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Client;

/// <summary>
/// A client of a whole cluster, bootstrapped from a list of brokers: it keeps a metadata cache (partition → leader),
/// sends each produce and fetch to the partition's leader over one <see cref="GologClient"/> connection per node,
/// and when a node answers not_leader (with or without a hint) or a connection is lost, refreshes metadata and
/// retries with the bounded backoff of <see cref="ClusterClientOptions.Retry"/>. A node that does not answer within
/// <see cref="ClusterClientOptions.RequestTimeout"/> counts as lost the same way (and is asked last for metadata
/// from then on), so a paused leader delays a request by one timeout, not forever. Group requests go to the group's
/// coordinator through <see cref="Coordinator"/>. Produces are idempotent by default
/// (init_producer_id, then producer_id/producer_epoch/sequence on every batch), so a batch retried after a failover
/// is stored once, and batches to one partition are stored in the order of the calls that produced them, the first ones
/// of a new client too (while its producer id and metadata are still asked for). It picks partitions itself (Kafka's: murmur2 of the key, else round robin), since a batch must go
/// to its partition's leader with that partition's sequence. Thread-safe; calls may be concurrent.
/// </summary>
/// <remarks>
/// At most 5 batches per partition should be in flight at once for retries to be recognised (the broker remembers a
/// producer's last 5 batches, as Kafka's max.in.flight.requests.per.connection = 5).
/// </remarks>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly IReadOnlyList<BrokerAddress> _bootstrap;
    private readonly ClusterClientOptions _options;
    private readonly LeaderCache _leaders = new();
    private readonly Dictionary<BrokerAddress, Task<GologClient>> _connections = []; // lock: itself
    private readonly Dictionary<string, int> _roundRobin = []; // lock: itself
    private readonly Dictionary<BrokerAddress, long> _lostAt = []; // lock: itself. When each node was last lost (Stopwatch timestamps).
    private readonly SemaphoreSlim _producerIdLock = new(1, 1);
    private ProducerSequences? _sequences;
    private Task _lastToNumber = Task.CompletedTask; // the latest produce call's turn to ask for its sequence (see ProduceAsync)
    private bool _idempotent;
    private int _outage; // 1 from a lost connection until the next successful connect

    private ClusterClient(IReadOnlyList<BrokerAddress> bootstrap, ClusterClientOptions options)
    {
        _bootstrap = bootstrap;
        _options = options;
        _idempotent = options.Idempotent;
    }

    /// <summary>The brokers this client was started with.</summary>
    public IReadOnlyList<BrokerAddress> Bootstrap => _bootstrap;

    /// <summary>Connects to the first of <paramref name="bootstrap"/> that answers.</summary>
    /// <exception cref="BrokerUnavailableException">None of them can be reached (the message says why for the last).</exception>
    public static async Task<ClusterClient> ConnectAsync(IReadOnlyList<BrokerAddress> bootstrap, ClusterClientOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (bootstrap.Count == 0) throw new ArgumentException("at least one broker address is needed", nameof(bootstrap));
        var client = new ClusterClient(bootstrap, options ?? new ClusterClientOptions());
        try { await client.AnyBrokerAsync(cancellationToken).ConfigureAwait(false); }
        catch { await client.DisposeAsync().ConfigureAwait(false); throw; }
        return client;
    }

    // ---- requests ----

    public Task<ProduceResult> ProduceAsync(string topic, int? partition, string message, string? key = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, partition, [(ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(message)], key, headers, cancellationToken);

    /// <summary>
    /// Produces a batch to its partition's leader (all-or-nothing, consecutive offsets), following leader changes. With no
    /// partition the client picks one: by the key's hash, else round robin; a topic it cannot find in metadata is left to
    /// the broker (which may create it), and that first batch is sent without producer fields.
    /// </summary>
    public async Task<ProduceResult> ProduceAsync(string topic, int? partition, IReadOnlyList<ReadOnlyMemory<byte>> messages,
        string? key = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (messages.Count == 0) throw new ArgumentException("at least one message is needed", nameof(messages));
        var budget = _options.Retry.Start();
        // batches are numbered in the order of the calls, whichever call's metadata or producer id came first: taken
        // before the first await, a turn is passed on once this call has asked for its number
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var earlier = Interlocked.Exchange(ref _lastToNumber, turn.Task);
        int? target;
        ProducerSequences? sequences = null;
        Task<ProducerSequence>? numbering = null;
        try
        {
            target = partition ?? await ChoosePartitionAsync(topic, key, budget, cancellationToken).ConfigureAwait(false);
            if (target is { } chosen && (sequences = await SequencesAsync(budget, cancellationToken).ConfigureAwait(false)) is not null)
            {
                await earlier.WaitAsync(cancellationToken).ConfigureAwait(false);
                numbering = sequences.TakeAsync(new TopicPartition(topic, chosen), messages.Count, cancellationToken); // queued at once, in turn
            }
        }
        finally { turn.SetResult(); }
        if (target is not { } p)
            return await OnAnyBrokerAsync((c, t) => c.ProduceAsync(topic, null, messages, key, headers, cancellationToken: t),
                budget, cancellationToken).ConfigureAwait(false);
        var tp = new TopicPartition(topic, p);
        ProducerSequence? batch = numbering is null ? null : await numbering.ConfigureAwait(false);
        bool stored = false;
        try
        {
            Action? written = null;
            if (batch is { } numbered)
            {
                await sequences!.TurnToWriteAsync(tp, numbered, cancellationToken).ConfigureAwait(false);
                written = () => sequences.Written(tp, numbered);
            }
            var result = await OnLeaderAsync(topic, p,
                (c, t) => c.ProduceAsync(topic, p, messages, key, headers, batch, _options.Acks, t, written),
                e => batch is { } b && e.Code == ErrorCode.OutOfOrderSequenceNumber && sequences!.WaitsForAnEarlierBatch(tp, b),
                budget, cancellationToken).ConfigureAwait(false);
            stored = true;
            return result;
        }
        finally
        {
            if (batch is { } b) sequences!.Answered(tp, b, stored);
        }
    }

    /// <summary>Reads a partition from its leader, following leader changes (see <see cref="GologClient.FetchAsync"/>).</summary>
    public Task<FetchResult> FetchAsync(string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null,
        int? maxWaitMs = null, CancellationToken cancellationToken = default) =>
        OnLeaderAsync(topic, partition, (c, t) => c.FetchAsync(topic, partition, offset, maxMessages, maxBytes, maxWaitMs, t),
            null, _options.Retry.Start(), cancellationToken, LongPoll(maxWaitMs));

    /// <summary>
    /// As <see cref="FetchAsync"/>, with the reply read in place (see <see cref="GologClient.FetchReplyAsync"/>); dispose
    /// it once its records were read.
    /// </summary>
    public Task<FetchReply> FetchReplyAsync(string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null,
        int? maxWaitMs = null, CancellationToken cancellationToken = default) =>
        OnLeaderAsync(topic, partition, (c, t) => c.FetchReplyAsync(topic, partition, offset, maxMessages, maxBytes, maxWaitMs, t),
            null, _options.Retry.Start(), cancellationToken, LongPoll(maxWaitMs));

    /// <summary>
    /// The coordinator of <paramref name="group"/>, found and followed over a connection of its own, for joins,
    /// heartbeats and commits (see <see cref="GroupCoordinator"/>). The caller disposes it.
    /// </summary>
    public GroupCoordinator Coordinator(string group) => new(group, AnyBrokerAsync, _options);

    /// <summary>The node leading the partition now, as far as metadata says (asked when not known).</summary>
    /// <exception cref="GologException">not_leader while an election is under way.</exception>
    public async Task<BrokerAddress> LeaderOfAsync(string topic, int partition, CancellationToken cancellationToken = default) =>
        await LeaderAsync(topic, partition, cancellationToken).ConfigureAwait(false);

    private static TimeSpan LongPoll(int? maxWaitMs) => TimeSpan.FromMilliseconds(maxWaitMs ?? 0);

    /// <summary>Metadata from any node that answers (retried as any request), and the leader cache refreshed with it.</summary>
    public Task<ClusterMetadata> MetadataAsync(string? topic = null, CancellationToken cancellationToken = default) =>
        WithRetriesAsync(() => RefreshAsync(topic, cancellationToken), null, 0, null, _options.Retry.Start(), cancellationToken);

    /// <summary>One metadata request to any node; the leader cache takes the answer.</summary>
    private async Task<ClusterMetadata> RefreshAsync(string? topic, CancellationToken cancellationToken)
    {
        var connection = await AnyBrokerAsync(cancellationToken).ConfigureAwait(false);
        var metadata = await TimedAsync(connection, (c, t) => c.ClusterMetadataAsync(topic, t), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        _leaders.Update(metadata, connection.Broker);
        return metadata;
    }

    /// <summary>
    /// A connection to a node that answers (a bootstrap broker first, the node lost most recently last), for requests any
    /// node serves: topics, metadata. It is this client's: do not dispose it.
    /// </summary>
    public async Task<GologClient> AnyBrokerAsync(CancellationToken cancellationToken = default)
    {
        Exception? last = null;
        Dictionary<BrokerAddress, long> lost;
        lock (_lostAt) lost = new(_lostAt);
        foreach (var address in _bootstrap.Concat(_leaders.KnownNodes).Distinct().OrderBy(a => lost.GetValueOrDefault(a, long.MinValue)))
        {
            try { return await ConnectionAsync(address, cancellationToken).ConfigureAwait(false); }
            catch (BrokerUnavailableException e) { last = e; }
        }
        throw last!;
    }

    // ---- leaders and retries ----

    private async Task<int?> ChoosePartitionAsync(string topic, string? key, RetryBudget budget, CancellationToken cancellationToken)
    {
        int? count = _leaders.PartitionCount(topic);
        if (count is null)
        {
            try
            {
                var metadata = await WithRetriesAsync(() => RefreshAsync(topic, cancellationToken), null, 0, null, budget, cancellationToken).ConfigureAwait(false);
                count = metadata.Topics.FirstOrDefault(t => t.Name == topic)?.Partitions.Count;
            }
            catch (GologException e) when (e.Code == ErrorCode.UnknownTopicOrPartition) { return null; }
        }
        if (count is not > 0) return null;
        if (key is not null) return KeyPartitioner.Partition(Encoding.UTF8.GetBytes(key), count.Value);
        lock (_roundRobin)
        {
            int next = _roundRobin.GetValueOrDefault(topic);
            _roundRobin[topic] = next + 1;
            return next % count.Value;
        }
    }

    private async Task<BrokerAddress> LeaderAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        if (!_leaders.TryGetLeader(topic, partition, out var leader))
        {
            try { await RefreshAsync(topic, cancellationToken).ConfigureAwait(false); } // one try: the caller's attempt is what is retried
            catch (GologException e) when (e.Code == ErrorCode.UnknownTopicOrPartition) { }
            // not in metadata (a topic not created yet, a partition it lacks): any node answers, creating or refusing it
            if (!_leaders.TryGetLeader(topic, partition, out leader)) return (await AnyBrokerAsync(cancellationToken).ConfigureAwait(false)).Broker;
        }
        return leader ?? throw new GologException(new ProtocolError(ErrorCode.NotLeader,
            $"{topic}-{partition} has no leader at the moment (an election is under way)"));
    }

    /// <param name="longPoll">How long the broker may hold the request on purpose, on top of the request timeout.</param>
    private Task<T> OnLeaderAsync<T>(string topic, int partition, Func<GologClient, CancellationToken, Task<T>> call, Func<GologException, bool>? alsoRetriable,
        RetryBudget budget, CancellationToken cancellationToken, TimeSpan longPoll = default) =>
        WithRetriesAsync(async () => await TimedAsync(await ConnectionAsync(await LeaderAsync(topic, partition, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false), call, longPoll, cancellationToken).ConfigureAwait(false), topic, partition, alsoRetriable, budget, cancellationToken);

    private Task<T> OnAnyBrokerAsync<T>(Func<GologClient, CancellationToken, Task<T>> call, RetryBudget budget, CancellationToken cancellationToken) =>
        WithRetriesAsync(async () => await TimedAsync(await AnyBrokerAsync(cancellationToken).ConfigureAwait(false), call, TimeSpan.Zero,
            cancellationToken).ConfigureAwait(false), null, 0, null, budget, cancellationToken);

    /// <summary>One request within the request timeout; a node lost meanwhile is remembered, to be asked last.</summary>
    private async Task<T> TimedAsync<T>(GologClient connection, Func<GologClient, CancellationToken, Task<T>> call, TimeSpan longPoll,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RequestDeadline.RunAsync(connection, _options.RequestTimeout + longPoll, call, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnavailableException) when (!connection.IsConnected)
        {
            lock (_lostAt) _lostAt[connection.Broker] = System.Diagnostics.Stopwatch.GetTimestamp();
            throw;
        }
    }

    /// <summary>
    /// Runs an attempt until it succeeds, fails for good, or the retry policy is spent. not_leader follows the hint (or
    /// forgets the topic's leaders); a lost connection or a broker shutting down forgets them too, so the next attempt
    /// asks metadata again; not_enough_replicas waits for the ISR to grow back.
    /// </summary>
    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> attempt, string? topic, int partition, Func<GologException, bool>? alsoRetriable,
        RetryBudget budget, CancellationToken cancellationToken)
    {
        while (true)
        {
            ExceptionDispatchInfo failure;
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (GologException e) when (e.Code == ErrorCode.NotLeader)
            {
                failure = ExceptionDispatchInfo.Capture(e);
                if (topic is null) { }
                else if (e.Error.Leader is { } hint) _leaders.Follow(topic, partition, hint);
                else _leaders.Forget(topic);
            }
            catch (GologException e) when (e.Code == ErrorCode.NotEnoughReplicas || alsoRetriable?.Invoke(e) == true)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            catch (Exception e) when (Reconnect.IsBrokerUnavailable(e))
            {
                failure = ExceptionDispatchInfo.Capture(e);
                if (topic is not null) _leaders.Forget(topic);
                if (Interlocked.Exchange(ref _outage, 1) == 0)
                    _options.ConnectionLost?.Invoke((e as BrokerUnavailableException)?.Broker ?? _bootstrap[0], e);
            }
            if (budget.Failed() is not { } wait) failure.Throw();
            else await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- connections and the producer id ----

    /// <summary>The connection to <paramref name="address"/>, opened (once, however many callers wait) when there is none or it broke.</summary>
    private async Task<GologClient> ConnectionAsync(BrokerAddress address, CancellationToken cancellationToken)
    {
        Task<GologClient> connecting;
        lock (_connections)
        {
            if (!_connections.TryGetValue(address, out connecting!)
                || connecting.IsFaulted || connecting.IsCanceled || connecting is { IsCompletedSuccessfully: true, Result.IsConnected: false })
                _connections[address] = connecting = ConnectNewAsync(address);
        }
        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<GologClient> ConnectNewAsync(BrokerAddress address)
    {
        var client = await GologClient.ConnectAsync(address).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _outage, 0) == 1) _options.Reconnected?.Invoke(address);
        return client;
    }

    /// <summary>The producer's numbering, after asking a producer id once; null when not idempotent (or the broker has no init_producer_id).</summary>
    private async Task<ProducerSequences?> SequencesAsync(RetryBudget budget, CancellationToken cancellationToken)
    {
        if (!_idempotent || _sequences is not null) return _sequences;
        await _producerIdLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sequences is null && _idempotent)
            {
                try
                {
                    var (id, _) = await OnAnyBrokerAsync((c, t) => c.InitProducerIdAsync(t), budget, cancellationToken).ConfigureAwait(false);
                    _sequences = new ProducerSequences(id);
                }
                catch (GologException e) when (e.Code == ErrorCode.UnknownType) { _idempotent = false; } // a broker from before idempotent JSON produces
            }
            return _sequences;
        }
        finally { _producerIdLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        Task<GologClient>[] all;
        lock (_connections) { all = [.. _connections.Values]; _connections.Clear(); }
        foreach (var connecting in all)
        {
            try { await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false); }
            catch (BrokerUnavailableException) { } // it never connected
        }
    }
}
