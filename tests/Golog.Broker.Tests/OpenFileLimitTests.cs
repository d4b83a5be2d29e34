using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Golog.Broker.Tests;

/// <summary>connections.max is kept under the process's open-file limit, so connections cannot starve files of descriptors.</summary>
public partial class OpenFileLimitTests
{
    private const string NotLinux = "the open-file limit is read from /proc/self/limits, which only Linux has";

    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 524288               files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void The_soft_limit_is_read_from_proc_limits()
    {
        Assert.Equal(1024, OpenFileLimit.ParseSoft(Limits));
    }

    [Fact]
    public void An_unlimited_or_missing_limit_reads_as_none()
    {
        Assert.Null(OpenFileLimit.ParseSoft("Max open files            unlimited            unlimited            files\n"));
        Assert.Null(OpenFileLimit.ParseSoft("Max cpu time              unlimited            unlimited            seconds\n"));
    }

    [SkippableFact]
    public void This_process_limit_is_read_as_the_kernel_reports_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), NotLinux);
        Assert.Equal(0, GetRLimit(RlimitNoFile, out var limit));
        Assert.Equal(limit.Current == RlimInfinity ? null : (long)limit.Current, OpenFileLimit.ReadSoft());
    }

    [SkippableFact]
    public void A_soft_limit_set_with_ulimit_is_read_as_set_and_not_the_hard_limit()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), NotLinux);
        Assert.Equal(0, GetRLimit(RlimitNoFile, out var limit));
        Skip.If(limit.Maximum < 777, $"the hard limit {limit.Maximum} is too low to set a soft limit of 777");
        // a child's own /proc/self/limits, after it lowered its soft limit: the real kernel text, soft != hard
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", "ulimit -Sn 777 && cat /proc/self/limits"]) { RedirectStandardOutput = true })!;
        string text = shell.StandardOutput.ReadToEnd();
        Assert.True(shell.WaitForExit(30_000));
        Assert.Equal(777, OpenFileLimit.ParseSoft(text));
        Assert.Equal(Math.Max(777 - 512, 1), OpenFileLimit.AffordableConnections(10_000, OpenFileLimit.ParseSoft(text)));
    }

    [Fact]
    public void Where_there_is_no_limits_file_no_limit_is_read()
    {
        Assert.Null(OpenFileLimit.ReadSoft(Path.Combine(Path.GetTempPath(), $"no-such-limits-{Guid.NewGuid():N}")));
    }

    private const int RlimitNoFile = 7; // RLIMIT_NOFILE on Linux
    private const ulong RlimInfinity = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [Theory]
    [InlineData(10_000, 20_000, 10_000)] // plenty: unchanged
    [InlineData(10_000, 4096, 3072)]     // a quarter kept free
    [InlineData(10_000, 1024, 512)]      // at least 512 kept free
    [InlineData(10_000, 600, 88)]
    [InlineData(10_000, 256, 1)]         // never below one connection
    public void Connections_leave_a_quarter_of_the_limit_and_at_least_512_descriptors_free(int configured, long limit, int expected)
    {
        Assert.Equal(expected, OpenFileLimit.AffordableConnections(configured, limit));
    }

    [Fact]
    public void Without_a_known_limit_the_configured_maximum_stands()
    {
        Assert.Equal(10_000, OpenFileLimit.AffordableConnections(10_000, null));
    }
}
