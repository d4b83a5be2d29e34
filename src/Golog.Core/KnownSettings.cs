using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Golog.Core;

/// <summary>
/// The golog.* keys the broker reads: exactly those of the shipped hocon/golog.hocon. A key set anywhere else
/// (a --config file, --set) that is not one of them would be silently ignored, so a typo such as
/// golog.segmnt.bytes would leave the default in force: refused at start instead, naming the nearest known key.
/// golog.topics.overrides is a map from topic name to that topic's segment.* and retention.* keys.
/// </summary>
public sealed class KnownSettings
{
    private const string Root = "golog";
    private static readonly string[] Overrides = ["golog", "topics", "overrides"];
    private static readonly string[] PerTopicSections = ["segment", "retention"];
    // read once for the whole broker, so a topic override of it would be silently ignored
    private static readonly string[] BrokerWideOnly = ["retention.check-interval"];

    private readonly HashSet<string> _keys;
    private readonly HashSet<string> _perTopicKeys;

    private KnownSettings(HashSet<string> keys)
    {
        _keys = keys;
        _perTopicKeys = keys.Select(k => k[(Root.Length + 1)..])
            .Where(k => PerTopicSections.Contains(k.Split('.')[0]) && !BrokerWideOnly.Contains(k)).ToHashSet();
    }

    /// <summary>The keys of <paramref name="shipped"/>, the broker's own golog.hocon.</summary>
    public static KnownSettings From(Config shipped) => new(Leaves(shipped).Select(Dotted).ToHashSet(StringComparer.Ordinal));

    /// <summary>Throws an ArgumentException naming every golog.* key of <paramref name="effective"/> that the broker does not read.</summary>
    public void RefuseUnknown(Config effective)
    {
        var errors = Leaves(effective).Select(Problem).OfType<string>().Distinct().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
    }

    private string? Problem(string[] path)
    {
        if (path.Length > Overrides.Length && path.Take(Overrides.Length).SequenceEqual(Overrides))
        {
            string topicKey = string.Join('.', path.Skip(Overrides.Length + 1));
            if (_perTopicKeys.Contains(topicKey)) return null;
            string prefix = Dotted(path[..(Overrides.Length + 1)]) + ".";
            return Closest(topicKey, _perTopicKeys) is { } near
                ? $"unknown setting {Dotted(path)} (did you mean {prefix}{near}?)"
                : $"unknown setting {Dotted(path)} (only segment.* and retention.* can be set per topic)";
        }
        string key = Dotted(path);
        if (_keys.Contains(key)) return null;
        return Closest(key, _keys) is { } nearest ? $"unknown setting {key} (did you mean {nearest}?)" : $"unknown setting {key}";
    }

    /// <summary>Every golog.* setting of <paramref name="effective"/> as dotted key and rendered value, in key order (the admin API shows them).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Values(Config effective) =>
        Leaves(effective).Select(path => new KeyValuePair<string, string>(Dotted(path), effective.GetValue(Dotted(path)).ToString()))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();

    /// <summary>Every leaf path under golog. WithFallback merges the layers into Root, so one walk sees them all.</summary>
    private static IEnumerable<string[]> Leaves(Config config) =>
        config.Root.GetObject().Items.TryGetValue(Root, out var golog) ? Leaves(golog, [Root]) : [];

    private static IEnumerable<string[]> Leaves(HoconValue value, string[] path)
    {
        if (!value.IsObject()) { yield return path; yield break; }
        foreach (var (name, child) in value.GetObject().Items)
            foreach (var leaf in Leaves(child, [.. path, name])) yield return leaf;
    }

    /// <summary>A path as HOCON spells it: a name with a dot (a topic such as "audit.log") is quoted.</summary>
    private static string Dotted(IEnumerable<string> path) => string.Join('.', path.Select(p => p.Contains('.') ? $"\"{p}\"" : p));

    /// <summary>The known key a typo most likely meant: the fewest edits, and few enough to be a slip of the keyboard.</summary>
    private static string? Closest(string key, IEnumerable<string> known)
    {
        int allowed = Math.Clamp(key.Length / 5, 1, 3);
        return known.Select(k => (Key: k, Distance: EditDistance(key, k)))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Key).FirstOrDefault();
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions turning <paramref name="a"/> into <paramref name="b"/>.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
