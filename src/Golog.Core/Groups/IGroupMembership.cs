using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>Which parked request of a member an answer is for.</summary>
public enum ParkedRequest { Join, Sync }

/// <summary>The answer to a request parked until a rebalance step completes (a join, or a client-assigned member's sync).</summary>
public interface IParkedAnswer
{
    string MemberId { get; }
    ParkedRequest Request { get; }
    ICoreResult Result { get; }
}

/// <summary>An answer of a client-assigned group to a parked join or sync.</summary>
public sealed record ClientAnswer(string MemberId, ParkedRequest Request, ICoreResult Result) : IParkedAnswer;

/// <summary>
/// What <see cref="GroupActor"/> needs of a group's membership whichever kind it is: the requests both kinds of member
/// send (heartbeat, leave, fenced commits), the deadlines, and describe. Joins (and syncs) are kind-specific.
/// </summary>
public interface IGroupMembership
{
    GroupKind Kind { get; }
    GroupState State { get; }
    int Generation { get; }
    int MemberCount { get; }

    /// <summary>When <see cref="Tick"/> has work to do next; null: nothing pending.</summary>
    TimeSpan? NextDeadline { get; }

    /// <summary>heartbeat: null when all is well; rebalance_in_progress tells the member to rejoin.</summary>
    BrokerError? Heartbeat(string memberId, int generation, TimeSpan now);

    /// <summary>leave_group: the member goes at once; the answers are the parked requests the resulting rebalance settled.</summary>
    (BrokerError? Error, IReadOnlyList<IParkedAnswer> Answers) Leave(string memberId, TimeSpan now);

    /// <summary>Evicts members whose session ran out and moves a rebalance past its deadline along.</summary>
    (IReadOnlyList<string> Evicted, IReadOnlyList<IParkedAnswer> Answers) Tick(TimeSpan now);

    /// <summary>A topic gained partitions; true when that starts a rebalance.</summary>
    bool TopicResized(string topic, int partitions, TimeSpan now);

    /// <summary>Whether a commit (of a member, or manual with null) may move the group's offset of <paramref name="partition"/>.</summary>
    BrokerError? CheckCommit(MemberGeneration? speaker, TopicPartition partition);

    GroupDescription Describe(IReadOnlyDictionary<TopicPartition, long> committed, IReadOnlyDictionary<TopicPartition, long> highWatermarks);
}
