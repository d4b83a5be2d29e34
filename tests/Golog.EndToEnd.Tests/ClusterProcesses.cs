using System.Diagnostics;
using System.Text;
using Golog.Broker;
using Golog.Client;
using Golog.Protocol;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Three real broker processes forming an Akka.Cluster on loopback, for failover tests (kill -9, restart, SIGSTOP and
/// SIGCONT, clean stop): node 1 starts a new cluster, nodes 2 and 3 join through it. Each node has a storage directory of its own (under one <see cref="TempStorage"/>)
/// that a restart reuses. Every port is a free one, so a node restarted later gets new ports and joins through the
/// cluster ports of the nodes running then. The log of every incarnation is kept for failure messages, since a killed
/// process's <see cref="BrokerProcess.Log"/> goes with it.
/// </summary>
public sealed partial class ClusterProcesses : IAsyncDisposable
{
    public static readonly IReadOnlyList<int> Nodes = [1, 2, 3];

    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly TempStorage _storage = new();
    private readonly string[] _brokerArgs;
    private readonly Dictionary<int, BrokerProcess> _running = [];
    private readonly Dictionary<int, int> _clusterPorts = [];
    private readonly HashSet<int> _paused = [];
    private readonly List<(int Node, string Ended, string Log)> _pastLogs = [];

    private ClusterProcesses(string[] brokerArgs) => _brokerArgs = brokerArgs;

    /// <summary>Starts the three nodes (each with <paramref name="brokerArgs"/>) and waits until a node's metadata lists all of them up.</summary>
    public static async Task<ClusterProcesses> StartAsync(params string[] brokerArgs)
    {
        var cluster = new ClusterProcesses(brokerArgs);
        try
        {
            cluster.Add(Nodes[0], await cluster.StartNodeAsync(Nodes[0], seedPorts: []));
            int[] seed = [cluster._clusterPorts[Nodes[0]]];
            var joining = await Task.WhenAll(Nodes.Skip(1).Select(n => cluster.StartNodeAsync(n, seed)));
            foreach (var (node, process) in Nodes.Skip(1).Zip(joining)) cluster.Add(node, process);
            // some node, not every node: a node's list of brokers may lag until the next metadata change (creating a topic is one)
            await cluster.PollAsync(null, answers => answers.FirstOrDefault(m => m.Brokers?.Count(b => b.Status == BrokerStatus.Up) == Nodes.Count),
                FormTimeout, "a node listing all nodes up");
        }
        catch (Exception e)
        {
            string logs = cluster.Logs();
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"the cluster did not form: {e.Message}\n{logs}", e);
        }
        return cluster;
    }

    public BrokerProcess this[int node] => _running[node];

    /// <summary>Where <paramref name="node"/> keeps its partitions, in every incarnation.</summary>
    public string StorageOf(int node) => Path.Combine(_storage.Path, $"node-{node}");

    /// <summary>The JSON doors of the nodes running now, for a client's bootstrap list.</summary>
    public IReadOnlyList<BrokerAddress> Bootstrap => [.. _running.Values.Select(p => new BrokerAddress("127.0.0.1", p.Port))];

    /// <summary>SIGKILL: no shutdown, no flush, no leaving the cluster; the others find out through the failure detector.</summary>
    public async Task KillAsync(int node)
    {
        await _running[node].KillAsync();
        await Remove(node, "killed -9").DisposeAsync();
    }

    /// <summary>Starts <paramref name="node"/> again on its storage, joining through the nodes running now.</summary>
    public async Task RestartAsync(int node)
    {
        if (_running.ContainsKey(node)) throw new InvalidOperationException($"node {node} is running");
        Add(node, await StartNodeAsync(node, [.. _running.Keys.Select(n => _clusterPorts[n])]));
    }

    /// <summary>
    /// Starts a node that was never part of the cluster (e.g. a fourth), with the seed nodes 2 and 3 joined through:
    /// node 1's cluster port.
    /// </summary>
    public async Task AddNodeAsync(int node)
    {
        if (_clusterPorts.ContainsKey(node) || Directory.Exists(StorageOf(node))) throw new InvalidOperationException($"node {node} has run before");
        Add(node, await StartNodeAsync(node, [_clusterPorts[Nodes[0]]]));
    }

    /// <summary>SIGSTOP: the process stays, holding its sockets, but answers nothing (a long GC pause, a frozen VM).</summary>
    public async Task PauseAsync(int node)
    {
        await SignalAsync(node, "STOP");
        _paused.Add(node);
    }

    /// <summary>SIGCONT: the paused process runs on from where it stopped, unaware of the time that passed.</summary>
    public async Task ResumeAsync(int node)
    {
        await SignalAsync(node, "CONT");
        _paused.Remove(node);
    }

    /// <summary>SIGTERM to every running node at once (a clean shutdown each); their exit codes by node.</summary>
    public async Task<IReadOnlyDictionary<int, int>> StopAllAsync()
    {
        foreach (int node in _paused.ToList()) await ResumeAsync(node);
        var nodes = _running.Keys.ToList();
        var codes = await Task.WhenAll(nodes.Select(n => _running[n].StopAsync()));
        foreach (int node in nodes) await Remove(node, "stopped").DisposeAsync();
        return nodes.Zip(codes).ToDictionary(x => x.First, x => x.Second);
    }

    /// <summary>
    /// Polls until every running, unpaused node's metadata meets <paramref name="condition"/> and all agree on the
    /// controller and every partition's leader, epoch and ISR, and returns one of them. Agree, because a node that has
    /// just started answers from its stored copy of the metadata until the cluster's current one reaches it. (Not on
    /// the brokers' states: each node's failure detector decides on its own when another is unreachable.)
    /// </summary>
    public Task<ClusterMetadata> WaitUntilAsync(string? topic, Func<ClusterMetadata, bool> condition, TimeSpan timeout, string what) =>
        PollAsync(topic, Agreeing(condition), timeout, what);

    /// <summary><see cref="WaitUntilAsync(string?, Func{ClusterMetadata, bool}, TimeSpan, string)"/> over the JSON doors of nodes run some other way (in-process hosts).</summary>
    public static Task<ClusterMetadata> WaitUntilAsync(Func<IReadOnlyList<(int Node, int Port)>> nodes, string? topic, Func<ClusterMetadata, bool> condition,
        TimeSpan timeout, string what) =>
        PollAsync(nodes, () => { }, topic, Agreeing(condition), timeout, what);

    /// <summary>Every answer meets <paramref name="condition"/> and all agree on who leads what.</summary>
    private static Func<IReadOnlyList<ClusterMetadata>, ClusterMetadata?> Agreeing(Func<ClusterMetadata, bool> condition) =>
        answers => answers.All(condition) && answers.Select(Leadership).Distinct().Count() == 1 ? answers[0] : null;

    /// <summary>The last lines of every node's log, incarnation by incarnation (the full logs of a run are long).</summary>
    public string Logs(int linesPerIncarnation = 150)
    {
        var all = new StringBuilder();
        foreach (var (node, ended, log) in _pastLogs.Concat(_running.Select(r => (Node: r.Key, Ended: "running", r.Value.Log))).OrderBy(l => l.Node))
        {
            var lines = log.Split('\n');
            all.AppendLine($"===== node {node} ({ended}), last {Math.Min(lines.Length, linesPerIncarnation)} of {lines.Length} lines =====");
            foreach (var line in lines.TakeLast(linesPerIncarnation)) all.AppendLine(line.TrimEnd('\r'));
        }
        return all.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _running.Values) await process.DisposeAsync(); // SIGKILL ends a paused process too
        _running.Clear();
        _storage.Dispose();
    }

    private Task<BrokerProcess> StartNodeAsync(int node, IReadOnlyList<int> seedPorts)
    {
        string[] seeds = seedPorts.Count == 0 ? [] : ["--seed-nodes", string.Join(',', seedPorts.Select(p => $"127.0.0.1:{p}"))];
        return BrokerProcess.StartAsync(StorageOf(node), ["--node-id", node.ToString(), "--cluster-port", "0", .. seeds, .. _brokerArgs]);
    }

    private void Add(int node, BrokerProcess process)
    {
        _running[node] = process;
        _clusterPorts[node] = PortsFile.Read(process.PortsFilePath)[Golog.Cluster.ClusterNode.PortsFileKey].Port;
    }

    private BrokerProcess Remove(int node, string ended)
    {
        if (!_running.Remove(node, out var process)) throw new InvalidOperationException($"node {node} is not running");
        _paused.Remove(node);
        _clusterPorts.Remove(node);
        _pastLogs.Add((node, ended, process.Log));
        return process;
    }

    private async Task SignalAsync(int node, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _running[node].Pid.ToString()]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} of node {node} failed with {kill.ExitCode}");
    }

    /// <summary>
    /// Asks every running, unpaused node for metadata until <paramref name="pick"/> picks an answer, and returns it;
    /// throws after <paramref name="timeout"/> with the last answers.
    /// </summary>
    private Task<ClusterMetadata> PollAsync(string? topic, Func<IReadOnlyList<ClusterMetadata>, ClusterMetadata?> pick, TimeSpan timeout, string what) =>
        PollAsync(() => [.. _running.Where(r => !_paused.Contains(r.Key)).Select(r => (r.Key, r.Value.Port))], () =>
        {
            if (_running.FirstOrDefault(r => r.Value.HasExited) is { Value: not null } gone)
                throw new InvalidOperationException($"node {gone.Key} exited by itself while waiting for {what}");
        }, topic, pick, timeout, what);

    /// <summary>The polling itself, over the JSON doors <paramref name="nodes"/> names at each round; <paramref name="check"/> runs before each.</summary>
    private static async Task<ClusterMetadata> PollAsync(Func<IReadOnlyList<(int Node, int Port)>> nodes, Action check, string? topic,
        Func<IReadOnlyList<ClusterMetadata>, ClusterMetadata?> pick, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        string last = "none";
        Exception? failure = null;
        while (waited.Elapsed < timeout)
        {
            check();
            try
            {
                var asked = nodes();
                var answers = await Task.WhenAll(asked.Select(n => MetadataAsync(n.Port, topic)));
                last = string.Join("\n", asked.Zip(answers, (n, m) => $"node {n.Node}: {Brokers(m)}; {Leadership(m)}"));
                failure = null;
                if (pick(answers) is { } picked) return picked;
            }
            catch (Exception e) when (Reconnect.IsBrokerUnavailable(e) || e is GologException) { failure = e; } // a node busy starting: ask again
            await Task.Delay(PollInterval);
        }
        throw new TimeoutException($"not {what} within {timeout.TotalSeconds} s; last metadata:\n{last}", failure);
    }

    private static async Task<ClusterMetadata> MetadataAsync(int port, string? topic)
    {
        await using var client = await GologClient.ConnectAsync("127.0.0.1", port);
        return await client.ClusterMetadataAsync(topic);
    }

    private static string Brokers(ClusterMetadata m) =>
        $"brokers [{string.Join(", ", (m.Brokers ?? []).OrderBy(b => b.NodeId).Select(b => $"{b.NodeId}:{b.Status}"))}]";

    /// <summary>What the nodes must agree on (high watermarks aside: each node reports its own copy's).</summary>
    private static string Leadership(ClusterMetadata m) =>
        $"controller {m.Controller}; " + string.Join("; ", m.Partitions.Select(x => $"{x.Topic}-{x.Partition.Partition} leader " +
            $"{x.Partition.Leader?.ToString() ?? "none"} epoch {x.Partition.LeaderEpoch} isr [{string.Join(",", x.Partition.Isr ?? [])}]"));
}
