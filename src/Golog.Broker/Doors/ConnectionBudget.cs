namespace Golog.Broker.Doors;

/// <summary>
/// What one connection may owe its client before the broker stops taking its requests: a number of unanswered
/// requests, and a number of reply bytes, counting the bytes a fetch may still return (its max_bytes, reserved when
/// it is sent on), replies that came early and wait for an earlier one, and reply bytes written but not yet taken by
/// the client. A client that pipelines fetches and never reads thus holds about one budget of broker memory, whatever
/// max_bytes it asks for: "about", because a reservation counts stored bytes (a JSON reply of them is larger) and a
/// fetch returns at least one whole batch. Plain class; the connection actor owns it.
/// </summary>
public sealed class ConnectionBudget(int maxInFlight, int maxPendingReplyBytes)
{
    private readonly Dictionary<long, int> _reservations = [];
    private long _reservedBytes;

    public long ReservedBytes => _reservedBytes;

    /// <summary>Sets aside <paramref name="bytes"/> for the reply to request <paramref name="seq"/>.</summary>
    public void Reserve(long seq, int bytes)
    {
        _reservations[seq] = bytes;
        _reservedBytes += bytes;
    }

    /// <summary>The reply to <paramref name="seq"/> has come: its reservation (if any) now shows as unsent bytes instead.</summary>
    public void Release(long seq)
    {
        if (_reservations.Remove(seq, out int bytes)) _reservedBytes -= bytes;
    }

    /// <summary>No further request may be taken. One request is always taken when nothing is owed, however large.</summary>
    public bool IsSpent(int pending, long unsentBytes) =>
        pending >= maxInFlight || _reservedBytes + unsentBytes >= maxPendingReplyBytes;

    /// <summary>Half of both limits is free again: reading may resume without flapping at the limit.</summary>
    public bool IsHalfFree(int pending, long unsentBytes) =>
        pending <= maxInFlight / 2 && _reservedBytes + unsentBytes <= maxPendingReplyBytes / 2;
}
