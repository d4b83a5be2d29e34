using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Golog.Protocol;

namespace Golog.Client;

/// <summary>
/// A connection to one broker speaking the framed style of docs/protocol.md. Thread-safe and pipelined: any number
/// of requests may be outstanding. The broker answers in request order, so replies are matched to requests by a FIFO
/// queue filled in the same order requests hit the socket (both happen under the write lock), and read by one
/// background loop. When the connection breaks, every outstanding and later call fails with
/// <see cref="BrokerUnavailableException"/>; a client never reconnects by itself (callers decide what to resume).
/// </summary>
public sealed partial class GologClient : IAsyncDisposable
{
    private const int ReadChunkBytes = 128 * 1024;
    private const int InitialRequestBufferBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly LineReader _replyLines;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<Pending> _pending = new(); // lock: itself
    private readonly Task _readLoop;
    private ArrayBufferWriter<byte> _requestBuffer; // only under _writeLock
    private RequestWriter _requestWriter;          // only under _writeLock
    private long _lastId;
    private Func<Exception>? _closedBecause;       // lock: _pending. Set once; makes a fresh exception per failed call.

    /// <summary>A request waiting for its reply: read into a <see cref="Protocol.Reply"/>, or, for a fetch read in place, a <see cref="FetchReply"/>.</summary>
    /// <param name="FetchFrom">For <see cref="Fetch"/>: the offset asked for, where the reply's first batch is read from.</param>
    private readonly record struct Pending(long Id, TaskCompletionSource<Reply>? Reply, TaskCompletionSource<FetchReply>? Fetch, long FetchFrom = 0)
    {
        public void Fail(Exception e)
        {
            Reply?.TrySetException(e);
            Fetch?.TrySetException(e);
        }
    }

    private GologClient(BrokerAddress broker, Socket socket, int maxReplyLineBytes)
    {
        Broker = broker;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _replyLines = new LineReader(_stream, maxReplyLineBytes, ReadChunkBytes);
        _requestBuffer = new ArrayBufferWriter<byte>(InitialRequestBufferBytes);
        _requestWriter = new RequestWriter(_requestBuffer);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public BrokerAddress Broker { get; }

    /// <summary>False once the connection broke or the client was disposed.</summary>
    public bool IsConnected { get { lock (_pending) return _closedBecause is null; } }

    /// <exception cref="BrokerUnavailableException">The broker cannot be reached (the message says why).</exception>
    public static Task<GologClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default) =>
        ConnectAsync(new BrokerAddress(host, port), cancellationToken);

    /// <exception cref="BrokerUnavailableException">The broker cannot be reached (the message says why).</exception>
    public static Task<GologClient> ConnectAsync(BrokerAddress broker, CancellationToken cancellationToken = default) =>
        ConnectAsync(broker, LineReader.MaxBrokerReplyBytes, cancellationToken);

    /// <summary>With a reply line limit of its own: tests use a small one to see an over-long reply refused.</summary>
    internal static async Task<GologClient> ConnectAsync(BrokerAddress broker, int maxReplyLineBytes, CancellationToken cancellationToken)
    {
        var socket = await BrokerConnector.ConnectAsync(broker, cancellationToken).ConfigureAwait(false);
        return new GologClient(broker, socket, maxReplyLineBytes);
    }

    // ---- requests ----

    public Task<ProduceResult> ProduceAsync(string topic, int? partition, string message, string? key = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, partition, [(ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(message)], key, headers, cancellationToken);

    public Task<ProduceResult> ProduceAsync(string topic, int? partition, IReadOnlyList<string> messages, string? key = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var encoded = new ReadOnlyMemory<byte>[messages.Count];
        for (int i = 0; i < encoded.Length; i++) encoded[i] = Encoding.UTF8.GetBytes(messages[i]);
        return ProduceAsync(topic, partition, encoded, key, headers, cancellationToken);
    }

    /// <summary>Produces one message given as UTF-8 text.</summary>
    public Task<ProduceResult> ProduceAsync(string topic, int? partition, ReadOnlyMemory<byte> message, string? key = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, partition, [message], key, headers, cancellationToken);

    /// <summary>
    /// Produces a batch of UTF-8 messages, stored all-or-nothing at consecutive offsets. With no partition, the broker
    /// hashes the key, or picks one when there is no key either.
    /// </summary>
    public Task<ProduceResult> ProduceAsync(string topic, int? partition, IReadOnlyList<ReadOnlyMemory<byte>> messages,
        string? key = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, partition, messages, key, headers, null, AckLevel.All, cancellationToken);

    /// <summary>
    /// A produce as an idempotent producer (<paramref name="producer"/>: its id, epoch and the batch's first sequence; a
    /// retry with the same fields is answered with the original offsets) and with the acks asked for.
    /// <paramref name="written"/> runs once the request is queued on the connection, before any later request's bytes.
    /// </summary>
    public async Task<ProduceResult> ProduceAsync(string topic, int? partition, IReadOnlyList<ReadOnlyMemory<byte>> messages,
        string? key, IReadOnlyDictionary<string, string>? headers, ProducerSequence? producer, AckLevel acks, CancellationToken cancellationToken,
        Action? written = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (messages.Count == 0) throw new ArgumentException("at least one message is needed", nameof(messages));
        var reply = await SendAsync((w, id) => w.Produce(id, topic, partition, messages, key, headers, producer, acks), cancellationToken, written).ConfigureAwait(false);
        return new ProduceResult(reply.Topic ?? topic, Require(reply.Partition, "partition"),
            Require(reply.BaseOffset, "base_offset"), Require(reply.LastOffset, "last_offset"));
    }

    /// <summary>
    /// Reads records from <paramref name="offset"/> on. With nothing there yet, the broker waits up to
    /// <paramref name="maxWaitMs"/> for new records (long poll) and may then answer with none.
    /// </summary>
    /// <exception cref="GologException">e.g. offset_out_of_range, carrying the log's bounds.</exception>
    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null,
        int? maxWaitMs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var reply = await SendAsync((w, id) => w.Fetch(id, topic, partition, offset, maxMessages, maxBytes, maxWaitMs), cancellationToken).ConfigureAwait(false);
        return new FetchResult(reply.Topic ?? topic, reply.Partition ?? partition, Require(reply.HighWatermark, "high_watermark"),
            Require(reply.LogStartOffset, "log_start_offset"), reply.Records ?? []);
    }

    /// <summary>
    /// As <see cref="FetchAsync"/>, with the reply read in place: no string or object per record (strings only when
    /// asked for). It asks for the "batches" format: the stored batches in base64, whole (so a reply may hold a few
    /// records past <paramref name="maxMessages"/>), walked in place; a broker that does not know the format answers
    /// with JSON records, read in place too. Dispose the reply once its records were read.
    /// </summary>
    /// <exception cref="GologException">e.g. offset_out_of_range, carrying the log's bounds.</exception>
    public async Task<FetchReply> FetchReplyAsync(string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null,
        int? maxWaitMs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var fetch = new TaskCompletionSource<FetchReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteRequestAsync((w, id) => w.Fetch(id, topic, partition, offset, maxMessages, maxBytes, maxWaitMs, FetchFormat.Batches),
            id => new Pending(id, null, fetch, offset), cancellationToken).ConfigureAwait(false);
        var reply = await fetch.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfRefused(reply.Ok, reply.Error);
            Require(reply.HighWatermark, "high_watermark");
            Require(reply.LogStartOffset, "log_start_offset");
            return reply;
        }
        catch
        {
            reply.Dispose();
            throw;
        }
    }

    /// <summary>Stores <paramref name="offset"/> as the next offset <paramref name="group"/> will read (Kafka's convention).</summary>
    /// <remarks>
    /// With <paramref name="member"/> the commit speaks for a group member and the broker fences it: illegal_generation,
    /// unknown_member_id or not_assigned when the member is stale or does not own the partition.
    /// </remarks>
    public async Task CommitAsync(string group, string topic, int partition, long offset, CancellationToken cancellationToken = default,
        MemberGeneration? member = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(topic);
        await SendAsync((w, id) => w.Commit(id, group, topic, partition, offset, member), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next offset <paramref name="group"/> will read, or null when it has committed nothing.</summary>
    public async Task<long?> CommittedAsync(string group, string topic, int partition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(topic);
        var reply = await SendAsync((w, id) => w.Committed(id, group, topic, partition), cancellationToken).ConfigureAwait(false);
        return reply.Offset;
    }

    /// <exception cref="GologException">topic_already_exists, invalid_topic_name, ...</exception>
    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        await SendAsync((w, id) => w.CreateTopic(id, topic, partitions), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Grows <paramref name="topic"/> to <paramref name="partitions"/> partitions in all (the only way an existing topic grows).</summary>
    /// <exception cref="GologException">invalid_partitions (not more than it has), unknown_topic_or_partition, ...</exception>
    public async Task CreatePartitionsAsync(string topic, int partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        await SendAsync((w, id) => w.CreatePartitions(id, topic, partitions), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes <paramref name="topic"/>, its files and every group's offsets for it; returns how many partitions it had.</summary>
    /// <exception cref="GologException">unknown_topic_or_partition, ...</exception>
    public async Task<int> DeleteTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var reply = await SendAsync((w, id) => w.DeleteTopic(id, topic), cancellationToken).ConfigureAwait(false);
        return reply.Partitions ?? 0;
    }

    /// <summary>Partitions and their bounds of one topic, or of all topics when <paramref name="topic"/> is null.</summary>
    public async Task<List<TopicMetadata>> MetadataAsync(string? topic = null, CancellationToken cancellationToken = default) =>
        [.. (await ClusterMetadataAsync(topic, cancellationToken).ConfigureAwait(false)).Topics];

    /// <summary><see cref="MetadataAsync"/> with the cluster's nodes and each partition's leader, replicas and in-sync replicas.</summary>
    public async Task<ClusterMetadata> ClusterMetadataAsync(string? topic = null, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync((w, id) => w.Metadata(id, topic), cancellationToken).ConfigureAwait(false);
        return new ClusterMetadata(reply.Brokers, reply.Controller, reply.Topics ?? []);
    }

    /// <summary>A new idempotent producer id (epoch 0), never handed out before: what <see cref="ProducerSequence"/> names.</summary>
    public async Task<(long ProducerId, short Epoch)> InitProducerIdAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync((w, id) => w.InitProducerId(id), cancellationToken).ConfigureAwait(false);
        return (Require(reply.ProducerId, "producer_id"), Require(reply.ProducerEpoch, "producer_epoch"));
    }

    // ---- plumbing ----

    /// <summary>Writes one request and waits for its reply (see <see cref="WriteRequestAsync"/>).</summary>
    private async Task<Reply> SendAsync(Action<RequestWriter, long> write, CancellationToken cancellationToken, Action? written = null)
    {
        var reply = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteRequestAsync(write, id => new Pending(id, reply, null), cancellationToken, written).ConfigureAwait(false);
        var r = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(r.Ok, r.Error);
        return r;
    }

    /// <summary>
    /// Writes one request and queues its <see cref="Pending"/>. Cancellation abandons the wait only: a request already
    /// written stays in the queue so that later replies still line up (its reply is dropped when it comes).
    /// </summary>
    private async Task WriteRequestAsync(Action<RequestWriter, long> write, Func<long, Pending> pendingFor, CancellationToken cancellationToken,
        Action? written = null)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            long id = Interlocked.Increment(ref _lastId);
            try
            {
                write(_requestWriter, id);
            }
            catch
            {
                // e.g. invalid UTF-8 in a message: the writer is left mid-object, so start over with a fresh one.
                _requestBuffer = new ArrayBufferWriter<byte>(InitialRequestBufferBytes);
                _requestWriter = new RequestWriter(_requestBuffer);
                throw;
            }

            var pending = pendingFor(id);
            lock (_pending)
            {
                if (_closedBecause is { } reason) { _requestBuffer.ResetWrittenCount(); throw reason(); }
                _pending.Enqueue(pending);
            }
            written?.Invoke(); // still under the write lock: whatever it lets go next is written after these bytes
            try
            {
                // Not cancellable: stopping halfway through a line would leave the connection unframeable.
                await _stream.WriteAsync(_requestBuffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                Close(LostConnection(e)); // fails the pending request too
            }
            finally
            {
                _requestBuffer.ResetWrittenCount();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void ThrowIfRefused(bool ok, ProtocolError? error)
    {
        if (!ok) throw new GologException(error ?? new ProtocolError(GologException.UnexpectedReplyCode, "the broker refused the request without saying why"));
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _replyLines.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (!Deliver(line.Span)) return;
            }
            Close(() => new BrokerUnavailableException(Broker, $"broker at {Broker} closed the connection"));
        }
        catch (LineTooLongException e)
        {
            Close(() => new BrokerUnavailableException(Broker,
                $"broker at {Broker} sent a reply longer than {e.MaxLineBytes} bytes; connection closed"));
        }
        catch (Exception e)
        {
            Close(LostConnection(e));
        }
    }

    /// <summary>Completes the oldest pending request with one reply line. False when the connection had to be given up.</summary>
    private bool Deliver(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return true;

        Pending head;
        lock (_pending)
        {
            // A reply nobody waits for cannot be matched to anything; replies to abandoned requests stay queued,
            // so this only happens if the broker misbehaves.
            if (!_pending.TryDequeue(out head)) return true;
        }

        Reply? reply = null;
        FetchReply? fetched = null;
        try
        {
            if (head.Fetch is null) reply = ReplyReader.Parse(line);
            else fetched = FetchReply.Parse(CopyToPooled(line), line.Length, head.FetchFrom);
        }
        catch (FormatException)
        {
            head.Fail(new GologException(new ProtocolError(GologException.UnexpectedReplyCode, DescribeUnparsable(line))));
            return true;
        }

        if ((reply?.Id ?? fetched!.Id) is { } id && id != head.Id)
        {
            fetched?.Dispose();
            head.Fail(new GologException(new ProtocolError(GologException.UnexpectedReplyCode,
                $"reply id {id} does not match request id {head.Id}")));
            Close(() => new BrokerUnavailableException(Broker, $"broker at {Broker} answered out of order; connection closed"));
            return false;
        }
        if (reply is not null) head.Reply!.TrySetResult(reply);
        else if (!head.Fetch!.TrySetResult(fetched!)) fetched!.Dispose();
        return true;
    }

    /// <summary>A fetch reply outlives the line (valid only until the next read): one copy into a pooled buffer.</summary>
    private static byte[] CopyToPooled(ReadOnlySpan<byte> line)
    {
        var copy = ArrayPool<byte>.Shared.Rent(line.Length);
        line.CopyTo(copy);
        return copy;
    }

    private static string DescribeUnparsable(ReadOnlySpan<byte> line)
    {
        string text = Encoding.UTF8.GetString(line.Length > 1000 ? line[..1000] : line);
        // The broker answers a request it could not frame in the seed's style: "error: TEXT".
        return text.StartsWith("error: ", StringComparison.Ordinal) ? text["error: ".Length..] : "unexpected reply from broker: " + text;
    }

    private Func<Exception> LostConnection(Exception cause)
    {
        string why = cause switch
        {
            SocketException s => BrokerConnector.Describe(s),
            IOException { InnerException: SocketException s } => BrokerConnector.Describe(s),
            _ => cause.Message,
        };
        return () => new BrokerUnavailableException(Broker, $"broker at {Broker} is not reachable ({why})", cause);
    }

    /// <summary>Marks the connection dead (first reason wins), fails everything outstanding and closes the socket.</summary>
    private void Close(Func<Exception> reason)
    {
        Pending[] orphans;
        lock (_pending)
        {
            _closedBecause ??= reason;
            reason = _closedBecause;
            orphans = _pending.ToArray();
            _pending.Clear();
        }
        foreach (var p in orphans) p.Fail(reason());
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _stream.Dispose(); // wakes the read loop if it is still waiting
    }

    /// <summary>
    /// Gives the connection up as lost (the broker stopped answering): every outstanding and later call fails with
    /// <see cref="BrokerUnavailableException"/> saying <paramref name="why"/>, as if the connection had broken.
    /// </summary>
    internal void Abandon(string why) => Close(() => new BrokerUnavailableException(Broker, why));

    private void ThrowIfClosed()
    {
        lock (_pending)
        {
            if (_closedBecause is { } reason) throw reason();
        }
    }

    private static T Require<T>(T? value, string member) where T : struct => value ?? throw MissingMember(member);

    private static GologException MissingMember(string member) =>
        new(new ProtocolError(GologException.UnexpectedReplyCode, $"the broker's reply lacks \"{member}\""));

    public async ValueTask DisposeAsync()
    {
        Close(() => new ObjectDisposedException(nameof(GologClient), "the client was disposed"));
        try { await _readLoop.ConfigureAwait(false); } catch { /* the loop reports through Close */ }
    }
}
