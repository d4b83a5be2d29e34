using System.ComponentModel;
using System.Diagnostics;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A network of one test's own, to cut real broker processes off from each other for real: a Linux network namespace
/// per node, joined to the root namespace by a veth pair (10.77.S.1 on the root side, 10.77.S.2 in the node's
/// namespace, its default route via 10.77.S.1, S a subnet of the node's), with IPv4 forwarding on in the root
/// namespace so that the nodes reach each other through it, and the test, in the root namespace, reaches every node.
/// <see cref="Isolate"/> cuts one node off from the others while the test still reaches it; <see cref="Heal"/> undoes
/// that. Needs root (CI runs as root) and a usable `ip netns`; elsewhere <see cref="TryCreate"/> says why it could not,
/// and the test skips with that reason. Everything it made is removed at <see cref="Dispose"/>, also after a failure.
/// </summary>
/// <remarks>
/// The cut is a pair of blackhole policy rules (`ip rule ... blackhole`) per link in the root namespace, which drop,
/// silently as a broken link does, what is forwarded from one node's address to the other's. A tc u32 filter with
/// `action drop` on the root-side veths would do the same, but needs the act_gact module, which kernels without
/// loadable modules (such as the CI's micro-VM) lack; policy routing is in every kernel. Names carry a random suffix
/// (interface names at most 15 characters) and the subnets are picked where no address or route of the machine is,
/// so runs side by side, or one a killed run left behind, do not meet.
/// </remarks>
public sealed class NetworkNamespaces : IDisposable
{
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";

    private readonly string _suffix;
    private readonly int _firstSubnet;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private readonly List<string[]> _rules = []; // the arguments after "ip rule add", to delete them with
    private readonly int _rulePriority;
    private string? _oldIpForward;

    private NetworkNamespaces(int nodes, string suffix, int firstSubnet)
    {
        Nodes = nodes;
        _suffix = suffix;
        _firstSubnet = firstSubnet;
        _rulePriority = Random.Shared.Next(1_000, 30_000);
    }

    public int Nodes { get; }

    /// <summary>The address node <paramref name="node"/> (from 1) has in its namespace: what it binds and others reach it at.</summary>
    public string Host(int node) => $"10.77.{_firstSubnet + node - 1}.2";

    /// <summary>The command prefix that runs a program in node <paramref name="node"/>'s namespace (ip netns exec execs it).</summary>
    public IReadOnlyList<string> ExecPrefix(int node) => ["ip", "netns", "exec", Namespace(node)];

    public string Namespace(int node) => $"glg{_suffix}n{node}";
    private string RootLink(int node) => $"glg{_suffix}r{node}";
    private string NodeLink(int node) => $"glg{_suffix}p{node}";

    /// <summary>Sets up <paramref name="nodes"/> namespaces, or returns null with the reason it cannot here (not Linux, not root, no usable ip netns).</summary>
    public static NetworkNamespaces? TryCreate(int nodes, out string whyNot)
    {
        whyNot = "";
        if (!OperatingSystem.IsLinux()) { whyNot = "network namespaces need Linux"; return null; }
        if (Environment.UserName != "root") { whyNot = $"creating network namespaces needs root; running as {Environment.UserName}"; return null; }
        if (!File.Exists(IpForward)) { whyNot = $"no {IpForward}: no IPv4 forwarding to switch on"; return null; }
        int? subnet = FreeSubnets(nodes, out whyNot);
        if (subnet is null) return null;
        const string letters = "abcdefghijklmnopqrstuvwxyz0123456789";
        string suffix = new([.. Enumerable.Range(0, 5).Select(_ => letters[Random.Shared.Next(letters.Length)])]);
        var network = new NetworkNamespaces(nodes, suffix, subnet.Value);
        try
        {
            network.SetUp();
            return network;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or IOException or UnauthorizedAccessException)
        {
            network.Dispose();
            whyNot = $"ip netns is not usable here: {e.Message}";
            return null;
        }
    }

    /// <summary>The first of <paramref name="nodes"/> consecutive 10.77.x.0/24 subnets no address or route of the machine is in.</summary>
    private static int? FreeSubnets(int nodes, out string whyNot)
    {
        whyNot = "";
        (int, string) addresses, routes;
        try { (addresses, routes) = (Run("ip", "-4", "-o", "addr", "show"), Run("ip", "-4", "route", "show", "table", "all")); }
        catch (Win32Exception e) { whyNot = $"cannot run ip: {e.Message}"; return null; }
        if (addresses.Item1 != 0) { whyNot = $"ip addr show failed ({addresses.Item1}): {addresses.Item2.Trim()}"; return null; }
        string used = addresses.Item2 + routes.Item2;
        for (int attempt = 0; attempt < 50 && !used.Contains("10.77.0.0/16"); attempt++)
        {
            int first = 4 * Random.Shared.Next(1, 60) + 1; // 10.77.5.0/24 and on, at most 10.77.239.0/24 for 3 nodes
            if (Enumerable.Range(first, nodes).All(s => !used.Contains($"10.77.{s}."))) return first;
        }
        whyNot = "no free 10.77.x.0/24 subnets for the test's network (the machine already uses 10.77.0.0/16)";
        return null;
    }

    private void SetUp()
    {
        for (int node = 1; node <= Nodes; node++)
        {
            string ns = Namespace(node), root = RootLink(node), inner = NodeLink(node);
            string rootAddress = $"10.77.{_firstSubnet + node - 1}.1";
            Must("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            Must("ip", "link", "add", root, "type", "veth", "peer", "name", inner);
            _links.Add(root); // deleting one end deletes the pair, also once the other end is in a namespace
            Must("ip", "link", "set", inner, "netns", ns);
            Must("ip", "addr", "add", rootAddress + "/24", "dev", root);
            Must("ip", "link", "set", root, "up");
            Must("ip", "-n", ns, "addr", "add", Host(node) + "/24", "dev", inner);
            Must("ip", "-n", ns, "link", "set", inner, "up");
            Must("ip", "-n", ns, "link", "set", "lo", "up"); // the Kafka and HTTP doors listen on localhost
            Must("ip", "-n", ns, "route", "add", "default", "via", rootAddress);
        }
        _oldIpForward = File.ReadAllText(IpForward).Trim();
        File.WriteAllText(IpForward, "1");
    }

    /// <summary>
    /// Cuts node <paramref name="node"/> off from every other node, both ways; the test still reaches it (and it the test).
    /// Takes effect at once, for connections already open too (the root namespace routes every packet anew).
    /// </summary>
    public void Isolate(int node)
    {
        for (int other = 1; other <= Nodes; other++)
        {
            if (other == node) continue;
            AddRule(Host(node), Host(other));
            AddRule(Host(other), Host(node));
        }
    }

    private void AddRule(string from, string to)
    {
        string[] rule = ["from", from, "to", to, "blackhole", "priority", (_rulePriority + _rules.Count).ToString()];
        Must(["ip", "rule", "add", .. rule]);
        _rules.Add(rule);
    }

    /// <summary>Undoes every <see cref="Isolate"/>.</summary>
    public void Heal()
    {
        var failures = new List<string>();
        foreach (var rule in _rules)
        {
            var (exit, output) = Run(["ip", "rule", "del", .. rule]);
            if (exit != 0) failures.Add($"ip rule del {string.Join(' ', rule)}: {output.Trim()}");
        }
        _rules.Clear();
        if (failures.Count > 0) throw new InvalidOperationException(string.Join("; ", failures));
    }

    public void Dispose()
    {
        // every step on its own, so that one failing leaves nothing else behind
        try { Heal(); } catch (InvalidOperationException) { }
        foreach (var link in _links) Run("ip", "link", "del", link);
        _links.Clear();
        foreach (var ns in _namespaces) Run("ip", "netns", "del", ns);
        _namespaces.Clear();
        if (_oldIpForward is { } old)
        {
            try { File.WriteAllText(IpForward, old); } catch (IOException) { }
            _oldIpForward = null;
        }
    }

    private static void Must(params string[] command)
    {
        var (exit, output) = Run(command);
        if (exit != 0) throw new InvalidOperationException($"{string.Join(' ', command)} failed ({exit}): {output.Trim()}");
    }

    private static (int ExitCode, string Output) Run(params string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000)) { process.Kill(); return (-1, $"{command[0]} did not finish within 30 s"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
