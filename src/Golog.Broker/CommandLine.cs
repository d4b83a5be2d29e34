using System.CommandLine;
using System.Text;
using System.Text.Json;
using Golog.Cli;

namespace Golog.Broker;

/// <summary>
/// The broker's command line (System.CommandLine): flags and GOLOG_* environment variables become HOCON that takes
/// precedence over hocon/golog.hocon; flags win over environment variables, --set wins over both. A new shortcut
/// is one row of <see cref="Shortcuts"/>; its --help line and environment variable come with it.
/// </summary>
public static class CommandLine
{
    /// <summary>A flag that sets one HOCON key; the default shown in --help is the one hocon/golog.hocon has (a test keeps them in step).</summary>
    internal sealed record Shortcut(string Name, string Env, string Key, string Default, string Description)
    {
        public Option<string?> Option { get; } =
            ConsoleOption.Text("--" + Name, $"{Description} [default: {Default}] [env: {Env}]", Name.ToUpperInvariant().Replace('-', '_'));
    }

    internal static readonly Shortcut[] Shortcuts =
    [
        new("host", "GOLOG_HOST", "golog.host", "localhost", "host name or address the JSON-lines door listens on"),
        new("port", "GOLOG_PORT", "golog.port", "9092", "port of the JSON-lines door; 0 picks a free one (see --ports-file)"),
        new("storage", "GOLOG_STORAGE", "golog.storage", "storage", "directory of the topics' logs and the groups' offsets"),
        new("flush-policy", "GOLOG_FLUSH_POLICY", "golog.flush.policy", "always",
            "always: fsync before every ack; interval: fsync every golog.flush.interval; os: leave it to the OS"),
        new("ports-file", "GOLOG_PORTS_FILE", "golog.ports-file", "none",
            "JSON file written once listening, naming every door's bound address and port"),
        new("kafka-host", "GOLOG_KAFKA_HOST", "golog.kafka.host", "localhost", "host name or address the Kafka door listens on"),
        new("kafka-port", "GOLOG_KAFKA_PORT", "golog.kafka.port", "9093", "port of the Kafka door; 0 picks a free one (see --ports-file)"),
        new("http-port", "GOLOG_HTTP_PORT", "golog.http.port", "9644", "port of the HTTP door (metrics, admin API, web console); 0 picks a free one"),
        new("node-id", "GOLOG_NODE_ID", "golog.cluster.node-id", "0", "this node's id in a cluster (> 0, unique); 0 runs one node, no cluster"),
        new("cluster-host", "GOLOG_CLUSTER_HOST", "golog.cluster.host", "127.0.0.1", "address other cluster nodes reach this node on"),
        new("cluster-port", "GOLOG_CLUSTER_PORT", "golog.cluster.port", "2551", "port for the other cluster nodes; 0 picks a free one (see --ports-file)"),
        new("seed-nodes", "GOLOG_SEED_NODES", "golog.cluster.seed-nodes", "none",
            "cluster nodes to join through, host:port,host:port; none starts a new cluster"),
    ];

    private static readonly Option<string[]> ConfigFiles = new("--config")
    {
        Description = "extra HOCON file(s) whose settings win over hocon/golog.hocon (repeatable)",
        HelpName = "FILE.hocon",
    };

    private static readonly Option<string[]> Sets = new("--set")
    {
        Description = "one setting, e.g. --set golog.segment.bytes=64MiB (repeatable; wins over every other source)",
        HelpName = "golog.KEY=VALUE",
    };

    /// <summary>The root command with every broker option; Program gives it its action.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("Golog broker: a durable, Kafka-like message broker. Serves the JSON-lines protocol (docs/protocol.md).");
        foreach (var shortcut in Shortcuts) root.Add(shortcut.Option);
        root.Add(ConfigFiles);
        root.Add(Sets);
        return root;
    }

    /// <summary>HOCON overrides from args and environment, plus extra config files named with --config. Throws <see cref="ArgumentException"/>.</summary>
    public static (string Hocon, List<string> ConfigFiles) Parse(string[] args, Func<string, string?> env)
    {
        var root = CreateRoot();
        var parsed = root.Parse(GoSpellings.Normalize(root, args));
        if (parsed.Errors.Count > 0) throw new ArgumentException(parsed.Errors[0].Message);
        return Overrides(parsed, env);
    }

    /// <summary>What a parsed command line (see <see cref="CreateRoot"/>) and the environment set. Throws <see cref="ArgumentException"/>.</summary>
    public static (string Hocon, List<string> ConfigFiles) Overrides(ParseResult parsed, Func<string, string?> env)
    {
        var values = new Dictionary<string, string>();
        foreach (var shortcut in Shortcuts)
            if ((parsed.GetValue(shortcut.Option) ?? env(shortcut.Env)) is { Length: > 0 } v) values[shortcut.Key] = v;
        foreach (var kv in parsed.GetValue(Sets) ?? [])
        {
            int eq = kv.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects KEY=VALUE, got \"{kv}\"");
            values[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
        }
        var hocon = new StringBuilder();
        foreach (var (key, value) in values)
            hocon.Append(key).Append(" = ").Append(JsonSerializer.Serialize(value)).Append('\n');
        return (hocon.ToString(), [.. parsed.GetValue(ConfigFiles) ?? []]);
    }
}
