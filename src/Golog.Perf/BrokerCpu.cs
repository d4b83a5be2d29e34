using System.Globalization;

namespace Golog.Perf;

/// <summary>
/// A process's CPU time (user + system) from /proc/PID/stat, so a run can say how much of the work was the
/// broker's: golog-perf and the broker share the machine, and a rate alone does not tell whose CPU it cost.
/// </summary>
public static class BrokerCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux ABI

    /// <summary>The process's CPU seconds so far; null where there is no /proc or no such process.</summary>
    public static double? Seconds(int pid)
    {
        string path = $"/proc/{pid}/stat";
        if (!File.Exists(path)) return null;
        string stat = File.ReadAllText(path);
        // fields after the ")" that closes the command name: state is field 3, utime 14 and stime 15
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
