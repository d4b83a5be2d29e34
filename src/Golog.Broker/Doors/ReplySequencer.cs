using System.Buffers;

namespace Golog.Broker.Doors;

/// <summary>
/// Keeps a connection's replies in request order although partitions answer in any order: replies that arrive
/// early wait here until every earlier one has been sent. Plain class; the connection actor owns it.
/// </summary>
public sealed class ReplySequencer<TContext>
{
    private readonly Dictionary<long, TContext> _contexts = [];
    private readonly Dictionary<long, byte[]> _early = [];
    private long _nextSeq;
    private long _nextToSend;

    /// <summary>Requests registered whose reply has not been passed on yet: unanswered, or answered early and waiting.</summary>
    public int Pending => _contexts.Count + _early.Count;

    /// <summary>Bytes of replies that arrived early and wait for an earlier one: memory the connection holds.</summary>
    public long EarlyBytes { get; private set; }

    public long Register(TContext context)
    {
        long seq = _nextSeq++;
        _contexts[seq] = context;
        return seq;
    }

    public bool TryGetContext(long seq, out TContext context) => _contexts.TryGetValue(seq, out context!);

    /// <summary>Records the reply to <paramref name="seq"/>; appends to <paramref name="output"/> every reply now in order.</summary>
    public void Complete(long seq, ReadOnlySpan<byte> reply, IBufferWriter<byte> output)
    {
        if (!_contexts.Remove(seq)) return;
        if (seq != _nextToSend)
        {
            _early[seq] = reply.ToArray();
            EarlyBytes += reply.Length;
            return;
        }
        output.Write(reply);
        _nextToSend++;
        while (_early.Remove(_nextToSend, out var next))
        {
            EarlyBytes -= next.Length;
            output.Write(next);
            _nextToSend++;
        }
    }
}
