using Golog.Core;

namespace Golog.Broker.Doors;

/// <summary>
/// Gathers the answers to a request sent as several core commands (<see cref="DecodedRequest{TContext}.Parts"/>):
/// each part travels with a correlation of its own, negative so it never meets a request's sequence number, and
/// the request completes when its last part is answered. Plain class; the connection actor owns it.
/// </summary>
public sealed class RequestParts
{
    private sealed class Gathering(long seq, int count)
    {
        public long Seq { get; } = seq;
        public ICoreResult[] Results { get; } = new ICoreResult[count];
        public int Missing { get; set; } = count;
    }

    private readonly Dictionary<long, (Gathering Gathering, int Index)> _byCorrelation = [];
    private long _nextCorrelation = -1;

    /// <summary>Registers request <paramref name="seq"/>'s parts; returns the correlation to send each part with.</summary>
    public long[] Start(long seq, int count)
    {
        var gathering = new Gathering(seq, count);
        var correlations = new long[count];
        for (int i = 0; i < count; i++)
        {
            correlations[i] = _nextCorrelation--;
            _byCorrelation[correlations[i]] = (gathering, i);
        }
        return correlations;
    }

    /// <summary>
    /// True when <paramref name="correlation"/> is a part's; <paramref name="complete"/> is then set, with its request's
    /// sequence number, once the request's last part has been answered.
    /// </summary>
    public bool TryAnswer(long correlation, ICoreResult result, out (long Seq, PartResults Results)? complete)
    {
        complete = null;
        if (!_byCorrelation.Remove(correlation, out var part)) return false;
        part.Gathering.Results[part.Index] = result;
        if (--part.Gathering.Missing == 0) complete = (part.Gathering.Seq, new PartResults(part.Gathering.Results));
        return true;
    }
}
