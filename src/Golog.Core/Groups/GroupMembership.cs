using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// The broker's session bounds for group members (golog.groups.*), and how long a client-assigned group that leaves
/// Empty waits for more members before its first generation (Kafka's group.initial.rebalance.delay.ms).
/// </summary>
public sealed record GroupRules(TimeSpan HeartbeatInterval, TimeSpan DefaultSessionTimeout, TimeSpan MinSessionTimeout, TimeSpan MaxSessionTimeout,
    TimeSpan InitialRebalanceDelay = default)
{
    /// <summary>invalid_session_timeout when <paramref name="session"/> is outside the bounds; null when it is within.</summary>
    public BrokerError? CheckSession(TimeSpan session) =>
        session < MinSessionTimeout || session > MaxSessionTimeout
            ? new BrokerError(BrokerErrorCode.InvalidSessionTimeout,
                $"session timeout {session.TotalMilliseconds:F0} ms is outside the broker's bounds {MinSessionTimeout.TotalMilliseconds:F0}-{MaxSessionTimeout.TotalMilliseconds:F0} ms (golog.groups.min/max-session-timeout)")
            : null;
}

/// <summary>The answer to a parked join_group: the member's new generation and partitions, or an error.</summary>
public sealed record JoinAnswer(string MemberId, JoinedGroup? Joined, BrokerError? Error) : IParkedAnswer
{
    public ParkedRequest Request => ParkedRequest.Join;
    public ICoreResult Result => Joined is { } joined ? new GroupJoined(joined) : new Failed(Error!);
}

/// <summary>What a join did: the member's id (null with an error) and the parked joins it answered, possibly its own.</summary>
public sealed record JoinResult(string? MemberId, BrokerError? Error, IReadOnlyList<JoinAnswer> Answers);

/// <summary>
/// One consumer group's membership, Kafka's classic coordinator with the assignment done by the broker: members
/// join (parked until the rebalance completes), heartbeat, leave or are evicted when their session runs out. Every
/// completed rebalance increases the generation and assigns the subscribed partitions afresh; a heartbeat during a
/// rebalance answers rebalance_in_progress, which is how members learn to rejoin. A rebalance completes when every
/// member has rejoined, or at its deadline (the longest session timeout), dropping those that did not.
/// Plain and single-threaded: the caller passes the time (monotonic) into every call, so tests use a fake clock.
/// </summary>
public sealed class GroupMembership(string group, GroupRules rules, PartitionAssignor assignor, IReadOnlyDictionary<string, int> partitionCounts,
    int generation = 0) : IGroupMembership
{
    private sealed class Member(string id, string clientId)
    {
        public string Id { get; } = id;
        public string ClientId { get; } = clientId;
        public IReadOnlyList<string> Topics { get; set; } = [];
        public TimeSpan SessionTimeout { get; set; }
        public TimeSpan Deadline { get; set; }
        /// <summary>Has a join parked for the rebalance in progress.</summary>
        public bool Rejoined { get; set; }
        public List<TopicPartition> Assignment { get; set; } = [];
    }

    private readonly Dictionary<string, Member> _members = [];
    private readonly Dictionary<string, int> _partitionCounts = new(partitionCounts);
    private TimeSpan _rebalanceDeadline;

    public string Group => group;
    public GroupKind Kind => GroupKind.BrokerAssigned;
    public GroupState State { get; private set; } = GroupState.Empty;
    /// <summary>Starts where the group's previous membership (of the other kind) left it, so generations never repeat.</summary>
    public int Generation { get; private set; } = generation;
    public int MemberCount => _members.Count;

    /// <summary>When <see cref="Tick"/> has work to do next (a session or the rebalance running out); null: nothing pending.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            var deadlines = _members.Values.Where(m => !Exempt(m)).Select(m => m.Deadline);
            if (State == GroupState.PreparingRebalance) deadlines = deadlines.Append(_rebalanceDeadline);
            return deadlines.Any() ? deadlines.Min() : null;
        }
    }

    /// <summary>
    /// join_group. An empty or null <paramref name="memberId"/> joins as a new member (the broker names it); a known
    /// member rejoins. In a stable group, a known member with an unchanged subscription gets its current assignment at
    /// once; anything else starts (or joins) a rebalance and the answer waits for it.
    /// </summary>
    public JoinResult Join(string? memberId, string clientId, IReadOnlyList<string> topics, TimeSpan? sessionTimeout, TimeSpan now)
    {
        var session = sessionTimeout ?? rules.DefaultSessionTimeout;
        if (rules.CheckSession(session) is { } refused) return new JoinResult(null, refused, []);
        Member? member;
        if (string.IsNullOrEmpty(memberId))
        {
            // Kafka's "{client_id}-{uuid}", shortened: ids travel in every heartbeat and commit
            var client = clientId.Length > 64 ? clientId[..64] : clientId;
            member = new Member($"{client}-{Guid.NewGuid().ToString("N")[..12]}", client);
            _members[member.Id] = member;
        }
        else if (!_members.TryGetValue(memberId, out member))
            return new JoinResult(null, BrokerError.UnknownMember(group, memberId), []);

        var sorted = topics.Distinct().Order(StringComparer.Ordinal).ToList();
        bool changed = !sorted.SequenceEqual(member.Topics);
        member.Topics = sorted;
        member.SessionTimeout = session;
        member.Deadline = now + session;
        if (State == GroupState.Stable && !changed)
            return new JoinResult(member.Id, null, [Answer(member)]);
        member.Rejoined = true;
        StartRebalance(now);
        return new JoinResult(member.Id, null, TryComplete(now));
    }

    /// <summary>heartbeat: null when all is well; rebalance_in_progress tells the member to rejoin.</summary>
    public BrokerError? Heartbeat(string memberId, int generation, TimeSpan now)
    {
        if (!_members.TryGetValue(memberId, out var member)) return BrokerError.UnknownMember(group, memberId);
        if (generation != Generation) return IllegalGeneration(generation);
        member.Deadline = now + member.SessionTimeout;
        return State == GroupState.PreparingRebalance
            ? new BrokerError(BrokerErrorCode.RebalanceInProgress, $"group {group} is rebalancing: commit and rejoin")
            : null;
    }

    /// <summary>leave_group: the member goes at once and the others rebalance without waiting for its session to end.</summary>
    public JoinResult Leave(string memberId, TimeSpan now)
    {
        if (!_members.Remove(memberId)) return new JoinResult(null, BrokerError.UnknownMember(group, memberId), []);
        StartRebalance(now);
        return new JoinResult(memberId, null, TryComplete(now));
    }

    /// <summary>Evicts members whose session ran out and ends a rebalance past its deadline.</summary>
    public (IReadOnlyList<string> Evicted, IReadOnlyList<JoinAnswer> Answers) Tick(TimeSpan now)
    {
        var evicted = _members.Values.Where(m => !Exempt(m) && m.Deadline <= now).Select(m => m.Id).ToList();
        foreach (var id in evicted) _members.Remove(id);
        if (evicted.Count > 0) StartRebalance(now);
        if (State == GroupState.PreparingRebalance && _rebalanceDeadline <= now)
        {
            var late = _members.Values.Where(m => !m.Rejoined).Select(m => m.Id).ToList();
            foreach (var id in late) _members.Remove(id);
            evicted.AddRange(late);
            return (evicted, Complete(now));
        }
        return (evicted, TryComplete(now));
    }

    /// <summary>A topic gained partitions (or appeared): members subscribed to it rebalance to share the new ones.</summary>
    public bool TopicResized(string topic, int partitions, TimeSpan now)
    {
        bool grew = _partitionCounts.GetValueOrDefault(topic) != partitions;
        _partitionCounts[topic] = partitions;
        if (!grew || !_members.Values.Any(m => m.Topics.Contains(topic))) return false;
        StartRebalance(now);
        return true;
    }

    /// <summary>
    /// Whether a commit may move the group's offset of <paramref name="partition"/>. Without a member (manual mode) only
    /// while the group has no members; with one, only from the current generation and for a partition it owns.
    /// Commits during a rebalance are accepted, so members can commit what they processed before rejoining.
    /// </summary>
    public BrokerError? CheckCommit(MemberGeneration? speaker, TopicPartition partition)
    {
        if (speaker is not { } s)
            return _members.Count == 0 ? null : new BrokerError(BrokerErrorCode.UnknownMemberId,
                $"group {group} has {_members.Count} active members: a commit must carry member_id and generation_id");
        if (!_members.TryGetValue(s.MemberId, out var member)) return BrokerError.UnknownMember(group, s.MemberId);
        if (s.GenerationId != Generation) return IllegalGeneration(s.GenerationId);
        return member.Assignment.Contains(partition) ? null
            : new BrokerError(BrokerErrorCode.NotAssigned, $"partition {partition} is not assigned to member {s.MemberId} in generation {Generation} of group {group}");
    }

    /// <summary>
    /// The group as an operator sees it: members and assignments, and for every partition of the subscribed topics
    /// (and every partition with a committed offset) the committed offset, high watermark and owner.
    /// </summary>
    public GroupDescription Describe(IReadOnlyDictionary<TopicPartition, long> committed, IReadOnlyDictionary<TopicPartition, long> highWatermarks)
    {
        var owners = _members.Values.SelectMany(m => m.Assignment.Select(tp => (tp, m.Id))).ToDictionary(x => x.tp, x => x.Id);
        var partitions = _members.Values.SelectMany(m => m.Topics).Distinct()
            .SelectMany(t => Enumerable.Range(0, _partitionCounts.GetValueOrDefault(t)).Select(p => new TopicPartition(t, p)))
            .Union(committed.Keys)
            .OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition);
        var offsets = partitions.Select(tp => new GroupPartitionOffset(tp,
            committed.TryGetValue(tp, out var c) ? c : null,
            highWatermarks.TryGetValue(tp, out var hw) ? hw : null,
            owners.GetValueOrDefault(tp))).ToList();
        var members = _members.Values.OrderBy(m => m.Id, StringComparer.Ordinal)
            .Select(m => new GroupMemberInfo(m.Id, m.ClientId, m.Topics, Grouped(m.Assignment))).ToList();
        return new GroupDescription(group, State, Generation, assignor.Name, members, offsets);
    }

    /// <summary>Members parked in a join are waiting for the rebalance, not silent: its deadline governs them.</summary>
    private bool Exempt(Member m) => State == GroupState.PreparingRebalance && m.Rejoined;

    private void StartRebalance(TimeSpan now)
    {
        if (State == GroupState.PreparingRebalance) return;
        State = GroupState.PreparingRebalance;
        _rebalanceDeadline = now + (_members.Count == 0 ? TimeSpan.Zero : _members.Values.Max(m => m.SessionTimeout));
    }

    private IReadOnlyList<JoinAnswer> TryComplete(TimeSpan now) =>
        State == GroupState.PreparingRebalance && _members.Values.All(m => m.Rejoined) ? Complete(now) : [];

    /// <summary>Ends the rebalance: a new generation, a fresh assignment, every member's session restarted and its join answered.</summary>
    private IReadOnlyList<JoinAnswer> Complete(TimeSpan now)
    {
        Generation++;
        State = _members.Count == 0 ? GroupState.Empty : GroupState.Stable;
        var assignment = _members.Count == 0 ? []
            : assignor.Assign(_members.ToDictionary(m => m.Key, m => m.Value.Topics), _partitionCounts);
        foreach (var m in _members.Values)
        {
            m.Assignment = assignment[m.Id];
            m.Rejoined = false;
            m.Deadline = now + m.SessionTimeout;
        }
        return _members.Values.Select(Answer).ToList();
    }

    private JoinAnswer Answer(Member m)
    {
        var heartbeat = TimeSpan.FromTicks(Math.Min(rules.HeartbeatInterval.Ticks, m.SessionTimeout.Ticks / 3));
        return new JoinAnswer(m.Id, new JoinedGroup(group, Generation, m.Id, assignor.Name, heartbeat,
            m.SessionTimeout, Grouped(m.Assignment)), null);
    }

    private static List<TopicAssignment> Grouped(IEnumerable<TopicPartition> partitions) =>
        partitions.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TopicAssignment(g.Key, g.Select(tp => tp.Partition).Order().ToList())).ToList();

    private BrokerError IllegalGeneration(int generation) => new(BrokerErrorCode.IllegalGeneration,
        $"generation {generation} is not the current generation {Generation} of group {group}: rejoin");

    (BrokerError? Error, IReadOnlyList<IParkedAnswer> Answers) IGroupMembership.Leave(string memberId, TimeSpan now)
    {
        var result = Leave(memberId, now);
        return (result.Error, result.Answers);
    }

    (IReadOnlyList<string> Evicted, IReadOnlyList<IParkedAnswer> Answers) IGroupMembership.Tick(TimeSpan now)
    {
        var (evicted, answers) = Tick(now);
        return (evicted, answers);
    }
}
