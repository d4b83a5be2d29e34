using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>What a client-assigned join or sync did: the member's id (null with an error) and the parked requests it answered, possibly its own.</summary>
public sealed record ClientGroupResult(string? MemberId, BrokerError? Error, IReadOnlyList<IParkedAnswer> Answers);

/// <summary>
/// One consumer group's membership when the clients assign (Kafka's classic coordinator): members join with the
/// protocols they support and opaque metadata; when every member has rejoined (or the rebalance timeout ran out) the
/// generation increases, a protocol all members support is voted, and the leader is answered with every member's
/// metadata. The group then waits (CompletingRebalance) for the leader's SyncGroup, whose assignment bytes every
/// member's sync is answered with (Stable). A group leaving Empty first waits the initial rebalance delay, extended by
/// each new joiner up to the rebalance timeout, so that members starting together share one generation.
/// Plain and single-threaded; the caller passes the (monotonic) time into every call.
/// </summary>
public sealed class ClientAssignedMembership(string group, GroupRules rules, int generation = 0) : IGroupMembership
{
    private sealed class Member(string id, string clientId, string clientHost)
    {
        public string Id { get; } = id;
        public string ClientId { get; } = clientId;
        public string ClientHost { get; } = clientHost;
        public TimeSpan SessionTimeout { get; set; }
        public TimeSpan RebalanceTimeout { get; set; }
        public TimeSpan Deadline { get; set; }
        public IReadOnlyList<GroupProtocol> Protocols { get; set; } = [];
        public bool AwaitingJoin { get; set; }
        public bool AwaitingSync { get; set; }
        public byte[] Assignment { get; set; } = [];

        public byte[] MetadataFor(string? protocol) =>
            (Protocols.FirstOrDefault(p => p.Name == protocol) ?? Protocols.FirstOrDefault())?.Metadata ?? [];
    }

    private readonly List<Member> _members = []; // in join order: the first one left is the next leader
    private TimeSpan _rebalanceDeadline;
    private TimeSpan _joinsCloseAt; // the initial delay: no generation before this
    private TimeSpan _initialDelayCap;
    private bool _initialDelay;

    public GroupKind Kind => GroupKind.ClientAssigned;
    public GroupState State { get; private set; } = GroupState.Empty;
    public int Generation { get; private set; } = generation;
    public int MemberCount => _members.Count;
    /// <summary>The members' protocol type ("consumer"); kept once the group is empty, as Kafka does, until another kind joins.</summary>
    public string ProtocolType { get; private set; } = "";
    /// <summary>The protocol voted in the current generation; null while there is none.</summary>
    public string? Protocol { get; private set; }
    public string? LeaderId { get; private set; }

    public TimeSpan? NextDeadline
    {
        get
        {
            var deadlines = _members.Where(m => !Exempt(m)).Select(m => m.Deadline);
            if (State == GroupState.PreparingRebalance) deadlines = deadlines.Append(_initialDelay ? _joinsCloseAt : _rebalanceDeadline);
            return deadlines.Any() ? deadlines.Min() : null;
        }
    }

    /// <summary>
    /// JoinGroup. An empty <paramref name="memberId"/> joins as a new member (the broker names it). A known member that
    /// rejoins a stable group unchanged (and is not the leader) gets the current generation at once; one rejoining while
    /// the leader's sync is awaited gets its join answer again; anything else starts (or joins) a rebalance.
    /// </summary>
    public ClientGroupResult Join(string? memberId, string clientId, string clientHost, TimeSpan session, TimeSpan rebalanceTimeout,
        string protocolType, IReadOnlyList<GroupProtocol> protocols, TimeSpan now)
    {
        if (rules.CheckSession(session) is { } badSession) return new ClientGroupResult(null, badSession, []);
        if (Unsupported(protocolType, protocols, memberId) is { } inconsistent) return new ClientGroupResult(null, inconsistent, []);
        Member? member;
        if (string.IsNullOrEmpty(memberId))
        {
            var client = clientId.Length > 64 ? clientId[..64] : clientId;
            member = new Member($"{client}-{Guid.NewGuid()}", client, clientHost);
            _members.Add(member);
        }
        else if ((member = Find(memberId)) is null)
            return new ClientGroupResult(null, BrokerError.UnknownMember(group, memberId), []);
        else if (!Changed(member, protocols) && (State == GroupState.CompletingRebalance || (State == GroupState.Stable && member.Id != LeaderId)))
        {
            member.Deadline = now + member.SessionTimeout;
            return new ClientGroupResult(member.Id, null, [JoinAnswer(member)]);
        }

        bool isNew = string.IsNullOrEmpty(memberId);
        member.Protocols = protocols;
        member.SessionTimeout = session;
        member.RebalanceTimeout = rebalanceTimeout;
        member.Deadline = now + session;
        member.AwaitingJoin = true;
        ProtocolType = protocolType;
        var answers = StartRebalance(now);
        if (isNew && _initialDelay) // a newcomer during the initial delay holds the door open a little longer
            _joinsCloseAt = Min(now + rules.InitialRebalanceDelay, _initialDelayCap);
        return new ClientGroupResult(member.Id, null, [.. answers, .. TryComplete(now)]);
    }

    /// <summary>
    /// SyncGroup. While the leader's assignment is awaited the sync is parked; the leader's sync stores the assignments
    /// (a member it left out gets empty bytes), makes the group stable and answers every parked sync.
    /// </summary>
    public ClientGroupResult Sync(string memberId, int generation, IReadOnlyDictionary<string, byte[]> assignments, TimeSpan now)
    {
        if (Find(memberId) is not { } member) return new ClientGroupResult(null, BrokerError.UnknownMember(group, memberId), []);
        if (generation != Generation) return new ClientGroupResult(null, IllegalGeneration(generation), []);
        if (State == GroupState.PreparingRebalance) return new ClientGroupResult(null, Rebalancing(), []);
        member.Deadline = now + member.SessionTimeout;
        if (State == GroupState.Stable) return new ClientGroupResult(memberId, null, [SyncAnswer(member)]);
        member.AwaitingSync = true;
        if (memberId != LeaderId) return new ClientGroupResult(memberId, null, []);
        foreach (var m in _members) m.Assignment = assignments.GetValueOrDefault(m.Id) ?? [];
        State = GroupState.Stable;
        var answers = _members.Where(m => m.AwaitingSync).Select(SyncAnswer).ToList();
        foreach (var m in _members) m.AwaitingSync = false;
        return new ClientGroupResult(memberId, null, answers);
    }

    /// <summary>Kafka's order: unknown member, wrong generation, then rebalance_in_progress while rebalancing (the session is refreshed either way).</summary>
    public BrokerError? Heartbeat(string memberId, int generation, TimeSpan now)
    {
        if (Find(memberId) is not { } member) return BrokerError.UnknownMember(group, memberId);
        if (generation != Generation) return IllegalGeneration(generation);
        member.Deadline = now + member.SessionTimeout;
        return State == GroupState.PreparingRebalance ? Rebalancing() : null;
    }

    public (BrokerError? Error, IReadOnlyList<IParkedAnswer> Answers) Leave(string memberId, TimeSpan now)
    {
        if (Find(memberId) is not { } member) return (BrokerError.UnknownMember(group, memberId), []);
        _members.Remove(member);
        return (null, [.. StartRebalance(now), .. TryComplete(now)]);
    }

    public (IReadOnlyList<string> Evicted, IReadOnlyList<IParkedAnswer> Answers) Tick(TimeSpan now)
    {
        var evicted = _members.Where(m => !Exempt(m) && m.Deadline <= now).ToList();
        foreach (var m in evicted) _members.Remove(m);
        List<IParkedAnswer> answers = evicted.Count > 0 ? [.. StartRebalance(now)] : [];
        var ids = evicted.Select(m => m.Id).ToList();
        if (_initialDelay && _joinsCloseAt <= now) _initialDelay = false;
        if (State == GroupState.PreparingRebalance && !_initialDelay && _rebalanceDeadline <= now)
        {
            var late = _members.Where(m => !m.AwaitingJoin).ToList();
            foreach (var m in late) _members.Remove(m);
            ids.AddRange(late.Select(m => m.Id));
            answers.AddRange(Complete(now));
        }
        else answers.AddRange(TryComplete(now));
        return (ids, answers);
    }

    /// <summary>The broker does not read client-assigned subscriptions; the leader notices new partitions through metadata, as with Kafka.</summary>
    public bool TopicResized(string topic, int partitions, TimeSpan now) => false;

    /// <summary>
    /// Kafka's order: a manual commit (no member) only while the group has no members; then unknown member, wrong
    /// generation; commits are accepted while stable or rebalancing (members commit before rejoining), refused while the
    /// leader's assignment is awaited. Partition ownership is the client's business (the assignment is opaque).
    /// </summary>
    public BrokerError? CheckCommit(MemberGeneration? speaker, TopicPartition partition)
    {
        if (speaker is not { } s)
            return _members.Count == 0 ? null : new BrokerError(BrokerErrorCode.UnknownMemberId,
                $"group {group} has {_members.Count} active members: a commit must carry their member id and generation");
        if (Find(s.MemberId) is null) return BrokerError.UnknownMember(group, s.MemberId);
        if (s.GenerationId != Generation) return IllegalGeneration(s.GenerationId);
        return State == GroupState.CompletingRebalance ? Rebalancing() : null;
    }

    public GroupDescription Describe(IReadOnlyDictionary<TopicPartition, long> committed, IReadOnlyDictionary<TopicPartition, long> highWatermarks)
    {
        var offsets = committed.Keys.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition)
            .Select(tp => new GroupPartitionOffset(tp, committed[tp], highWatermarks.TryGetValue(tp, out var hw) ? hw : null, null)).ToList();
        var members = _members.Select(m => new GroupMemberInfo(m.Id, m.ClientId, [], [],
            new ClientMemberDetails(m.ClientHost, m.MetadataFor(Protocol), m.Assignment))).ToList();
        return new GroupDescription(group, State, Generation, Protocol ?? "", members, offsets, GroupKind.ClientAssigned, ProtocolType);
    }

    private Member? Find(string memberId) => _members.Find(m => m.Id == memberId);

    private static bool Changed(Member m, IReadOnlyList<GroupProtocol> protocols) =>
        m.Protocols.Count != protocols.Count
        || m.Protocols.Zip(protocols).Any(p => p.First.Name != p.Second.Name || !p.First.Metadata.AsSpan().SequenceEqual(p.Second.Metadata));

    /// <summary>Members parked in a join (or waiting for the leader's sync) are not silent: the rebalance governs them.</summary>
    private bool Exempt(Member m) =>
        (State == GroupState.PreparingRebalance && m.AwaitingJoin) || (State == GroupState.CompletingRebalance && m.AwaitingSync);

    /// <summary>inconsistent_group_protocol for a join the group's members could not share a protocol with; null when it can join.</summary>
    private BrokerError? Unsupported(string protocolType, IReadOnlyList<GroupProtocol> protocols, string? memberId)
    {
        if (protocolType.Length == 0 || protocols.Count == 0)
            return new BrokerError(BrokerErrorCode.InconsistentGroupProtocol, "a join must name its protocol type and at least one protocol");
        var others = _members.Where(m => m.Id != memberId).ToList();
        if (others.Count == 0) return null;
        if (protocolType != ProtocolType)
            return new BrokerError(BrokerErrorCode.InconsistentGroupProtocol,
                $"group {group} has members of protocol type \"{ProtocolType}\", not \"{protocolType}\"");
        var common = Candidates(others).Intersect(protocols.Select(p => p.Name)).ToList();
        return common.Count > 0 ? null : new BrokerError(BrokerErrorCode.InconsistentGroupProtocol,
            $"none of the protocols {string.Join(", ", protocols.Select(p => p.Name))} is supported by every member of group {group} ({string.Join(", ", Candidates(others))})");
    }

    private static IEnumerable<string> Candidates(IReadOnlyList<Member> members) =>
        members.Skip(1).Aggregate(members[0].Protocols.Select(p => p.Name), (names, m) => names.Intersect(m.Protocols.Select(p => p.Name)));

    /// <summary>Enters PreparingRebalance (from Empty behind the initial delay); parked syncs of the generation it ends are told to rejoin.</summary>
    private List<IParkedAnswer> StartRebalance(TimeSpan now)
    {
        if (State == GroupState.PreparingRebalance) return [];
        var parkedSyncs = _members.Where(m => m.AwaitingSync)
            .Select(m => (IParkedAnswer)new ClientAnswer(m.Id, ParkedRequest.Sync, new Failed(Rebalancing()))).ToList();
        foreach (var m in _members) m.AwaitingSync = false;
        var timeout = _members.Count == 0 ? TimeSpan.Zero : _members.Max(m => m.RebalanceTimeout);
        _rebalanceDeadline = now + timeout;
        _initialDelay = State == GroupState.Empty && rules.InitialRebalanceDelay > TimeSpan.Zero;
        _initialDelayCap = _rebalanceDeadline;
        _joinsCloseAt = Min(now + rules.InitialRebalanceDelay, _initialDelayCap);
        State = GroupState.PreparingRebalance;
        return parkedSyncs;
    }

    private IReadOnlyList<IParkedAnswer> TryComplete(TimeSpan now) =>
        State == GroupState.PreparingRebalance && !(_initialDelay && now < _joinsCloseAt) && _members.All(m => m.AwaitingJoin) ? Complete(now) : [];

    /// <summary>Ends the join phase: a new generation, a voted protocol, a leader, every session restarted and every parked join answered.</summary>
    private IReadOnlyList<IParkedAnswer> Complete(TimeSpan now)
    {
        _initialDelay = false;
        Generation++;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            Protocol = LeaderId = null;
            return [];
        }
        State = GroupState.CompletingRebalance;
        Protocol = Vote();
        if (LeaderId is null || Find(LeaderId) is null) LeaderId = _members[0].Id;
        foreach (var m in _members)
        {
            m.AwaitingJoin = false;
            m.Assignment = [];
            m.Deadline = now + m.SessionTimeout;
        }
        return _members.Select(JoinAnswer).ToList();
    }

    /// <summary>Each member votes for the first protocol of its list that every member supports; most votes wins, ties to the earlier joiner's vote.</summary>
    private string Vote()
    {
        var candidates = Candidates(_members).ToHashSet();
        return _members.Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name).OrderByDescending(g => g.Count()).First().Key;
    }

    private ClientAnswer JoinAnswer(Member m) => new(m.Id, ParkedRequest.Join, new ClientGroupJoined(Generation, Protocol!, LeaderId!, m.Id,
        m.Id == LeaderId ? _members.Select(x => new GroupProtocolMember(x.Id, x.MetadataFor(Protocol))).ToList() : []));

    private static ClientAnswer SyncAnswer(Member m) => new(m.Id, ParkedRequest.Sync, new GroupSynced(m.Assignment));

    private BrokerError Rebalancing() => new(BrokerErrorCode.RebalanceInProgress, $"group {group} is rebalancing: rejoin");

    private BrokerError IllegalGeneration(int generation) => new(BrokerErrorCode.IllegalGeneration,
        $"generation {generation} is not the current generation {Generation} of group {group}: rejoin");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
