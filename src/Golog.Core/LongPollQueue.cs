namespace Golog.Core;

/// <summary>Fetches parked until data past their offset arrives or their wait ends. Not thread-safe.</summary>
public sealed class LongPollQueue<TFetch>
{
    private readonly Dictionary<long, (TFetch Fetch, long Offset)> _parked = [];
    private long _nextTicket;

    public int Count => _parked.Count;

    /// <summary>Parks a fetch waiting for data at <paramref name="offset"/>; returns a ticket for its timeout.</summary>
    public long Park(TFetch fetch, long offset)
    {
        long ticket = _nextTicket++;
        _parked[ticket] = (fetch, offset);
        return ticket;
    }

    /// <summary>Removes and returns the fetches that can now be served because the high watermark passed their offset.</summary>
    public List<TFetch> TakeReady(long highWatermark)
    {
        var ready = new List<TFetch>();
        if (_parked.Count == 0) return ready;
        foreach (var (ticket, (fetch, offset)) in _parked)
            if (offset < highWatermark)
            {
                ready.Add(fetch);
                _parked.Remove(ticket);
            }
        return ready;
    }

    /// <summary>The fetch whose wait ended, if it is still parked.</summary>
    public bool TryExpire(long ticket, out TFetch fetch)
    {
        if (_parked.Remove(ticket, out var entry)) { fetch = entry.Fetch; return true; }
        fetch = default!;
        return false;
    }

    public List<TFetch> TakeAll()
    {
        var all = _parked.Values.Select(p => p.Fetch).ToList();
        _parked.Clear();
        return all;
    }
}
