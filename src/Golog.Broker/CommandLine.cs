using Golog.Core;
using System.Text;
using System.Text.Json;

namespace Golog.Broker;

/// <summary>
/// Turns command-line flags and GOLOG_* environment variables into HOCON that takes precedence over
/// hocon/golog.hocon. Flags win over environment variables.
/// </summary>
public static class CommandLine
{
    private static readonly (string Flag, string Env, string Key)[] Shortcuts =
    [
        ("--host", "GOLOG_HOST", "golog.host"),
        ("--port", "GOLOG_PORT", "golog.port"),
        ("--http-port", "GOLOG_HTTP_PORT", "golog.http.port"),
        ("--storage", "GOLOG_STORAGE", "golog.storage"),
        ("--flush-policy", "GOLOG_FLUSH_POLICY", "golog.flush.policy"),
        ("--ports-file", "GOLOG_PORTS_FILE", "golog.ports-file"),
    ];

    public const string Usage = """
        usage: golog-broker [--host H] [--port P] [--http-port P] [--storage DIR] [--flush-policy always|interval|os]
                            [--ports-file FILE.json] [--config FILE.hocon] [--set golog.KEY=VALUE ...]
        environment: GOLOG_HOST, GOLOG_PORT, GOLOG_HTTP_PORT, GOLOG_STORAGE, GOLOG_FLUSH_POLICY, GOLOG_PORTS_FILE (flags win)
        """;

    /// <summary>HOCON overrides from args and environment, plus extra config files named with --config.</summary>
    public static (string Hocon, List<string> ConfigFiles) Parse(string[] args, Func<string, string?> env)
    {
        var values = new Dictionary<string, string>();
        foreach (var (_, envName, key) in Shortcuts)
            if (env(envName) is { Length: > 0 } v) values[key] = v;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            var shortcut = Shortcuts.FirstOrDefault(s => s.Flag == arg);
            if (shortcut.Key is not null) values[shortcut.Key] = Next();
            else if (arg == "--config") files.Add(Next());
            else if (arg == "--set")
            {
                var kv = Next();
                int eq = kv.IndexOf('=');
                if (eq <= 0) throw new ArgumentException($"--set expects KEY=VALUE, got \"{kv}\"");
                values[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
            }
            else throw new ArgumentException($"unknown argument \"{arg}\"");
        }
        var hocon = new StringBuilder();
        foreach (var (key, value) in values)
            hocon.Append(key).Append(" = ").Append(JsonSerializer.Serialize(value)).Append('\n');
        return (hocon.ToString(), files);
    }
}
