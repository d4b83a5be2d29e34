using Golog.Storage;

namespace Golog.Broker;

/// <summary>
/// The process's open-file limit (ulimit -n) bounds how many connections the broker may accept: each is a socket, and
/// segment, index and offset files, and the runtime itself (loading an assembly), need descriptors too. Run out, and
/// the .NET runtime aborts ("Out of memory": its JIT maps code through file descriptors), so connections.max is
/// lowered at start to leave a quarter of the limit, and at least 512, for the rest; of that rest, what the runtime
/// needs (<see cref="RuntimeDescriptors"/>) is kept back and the remainder bounds the segment files open at once
/// (<see cref="FileHandleCache"/>), so connections and partitions together never exhaust the limit. An idle broker
/// already holds about 250 descriptors (mostly the assemblies it mapped).
/// </summary>
public static class OpenFileLimit
{
    /// <summary>The soft limit from /proc/self/limits; null where there is none (not Linux) or it is unlimited.</summary>
    public static long? ReadSoft(string limitsFile = "/proc/self/limits") =>
        File.Exists(limitsFile) ? ParseSoft(File.ReadAllText(limitsFile)) : null;

    /// <summary>Parses the "Max open files  SOFT  HARD  files" line of a /proc/PID/limits text.</summary>
    public static long? ParseSoft(string limits)
    {
        const string name = "Max open files";
        var line = limits.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        var fields = line?[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 0 } && long.TryParse(fields[0], out long soft) ? soft : null;
    }

    /// <summary>Descriptors kept for the runtime (assemblies, pipes, epoll), listeners and short-lived files (checkpoints, group offsets).</summary>
    public const int RuntimeDescriptors = 320;

    /// <summary>Where no limit applies: still a bound, so a broker of many partitions does not grow its handles without one.</summary>
    public const int UnlimitedSegmentHandles = 65_536;

    /// <summary>How many segment files may be open at once besides <paramref name="connections"/> connections (at least 16).</summary>
    public static int AffordableSegmentHandles(int connections, long? softLimit) =>
        softLimit is { } limit ? (int)Math.Clamp(limit - connections - RuntimeDescriptors, 16, UnlimitedSegmentHandles) : UnlimitedSegmentHandles;

    /// <summary>The connections the broker can afford under <paramref name="softLimit"/>, never more than configured.</summary>
    public static int AffordableConnections(int configured, long? softLimit) =>
        softLimit is { } limit ? (int)Math.Clamp(limit - Math.Max(limit / 4, 512), 1, configured) : configured;
}
