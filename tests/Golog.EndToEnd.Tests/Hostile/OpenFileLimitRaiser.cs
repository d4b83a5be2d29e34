using System.Runtime.InteropServices;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>
/// A thousand connections need about 2,000 descriptors in this process and the broker's (which inherits the limit and
/// would lower its connections.max to fit). Many machines start with a soft limit of 1024: raise it to the hard limit.
/// </summary>
internal static partial class OpenFileLimitRaiser
{
    private const int RlimitNofile = 7; // Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>Makes sure the soft limit is at least <paramref name="needed"/>; throws if the hard limit forbids it.</summary>
    public static void EnsureAtLeast(ulong needed)
    {
        if (!OperatingSystem.IsLinux()) return;
        if (getrlimit(RlimitNofile, out var limit) != 0 || limit.Current >= needed) return;
        var raised = new RLimit { Current = Math.Min(Math.Max(needed, limit.Current), limit.Max), Max = limit.Max };
        if (setrlimit(RlimitNofile, raised) != 0 || raised.Current < needed)
            throw new InvalidOperationException($"this test needs `ulimit -n` {needed}; the hard limit is {limit.Max}");
    }
}
