using Golog.Core;

namespace Golog.Broker.Doors;

/// <summary>
/// Gathers the answers to a request sent as several core commands (<see cref="DecodedRequest{TContext}.Parts"/>):
/// each part travels with a correlation of its own, negative so it never meets a request's sequence number, and
/// the request completes when its last part is answered. Plain class; the connection actor owns it.
/// </summary>
public sealed class RequestParts
{
    private sealed class Gathering(long seq, long[] correlations, Func<ICoreResult, bool>? enoughWhen)
    {
        public long Seq { get; } = seq;
        public long[] Correlations { get; } = correlations;
        public Func<ICoreResult, bool>? EnoughWhen { get; } = enoughWhen;
        public ICoreResult[] Results { get; } = Enumerable.Repeat<ICoreResult>(PartNotAnswered.Instance, correlations.Length).ToArray();
        public int Missing { get; set; } = correlations.Length;
    }

    private readonly Dictionary<long, (Gathering Gathering, int Index)> _byCorrelation = [];
    private long _nextCorrelation = -1;

    /// <summary>
    /// Registers request <paramref name="seq"/>'s parts; returns the correlation to send each part with. With
    /// <paramref name="enoughWhen"/>, the first part result it accepts completes the request (see <see cref="DecodedRequest{TContext}.EnoughWhen"/>).
    /// </summary>
    public long[] Start(long seq, int count, Func<ICoreResult, bool>? enoughWhen = null)
    {
        var correlations = new long[count];
        for (int i = 0; i < count; i++) correlations[i] = _nextCorrelation--;
        var gathering = new Gathering(seq, correlations, enoughWhen);
        for (int i = 0; i < count; i++) _byCorrelation[correlations[i]] = (gathering, i);
        return correlations;
    }

    /// <summary>
    /// True when <paramref name="correlation"/> is a part's; <paramref name="complete"/> is then set, with its request's
    /// sequence number, once the request's last part has been answered.
    /// </summary>
    public bool TryAnswer(long correlation, ICoreResult result, out (long Seq, PartResults Results)? complete)
    {
        complete = null;
        if (!_byCorrelation.Remove(correlation, out var part))
            return correlation < 0; // a part of a request completed early: its answer is not wanted any more
        var gathering = part.Gathering;
        gathering.Results[part.Index] = result;
        bool enough = gathering.EnoughWhen?.Invoke(result) == true;
        if (--gathering.Missing > 0 && !enough) return true;
        foreach (long other in gathering.Correlations) _byCorrelation.Remove(other);
        complete = (gathering.Seq, new PartResults(gathering.Results));
        return true;
    }
}
