namespace Golog.Broker.Tests;

/// <summary>connections.max is kept under the process's open-file limit, so connections cannot starve files of descriptors.</summary>
public class OpenFileLimitTests
{
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

    [Fact]
    public void This_process_has_a_readable_limit_on_linux()
    {
        if (OperatingSystem.IsLinux()) Assert.True(OpenFileLimit.ReadSoft() > 0);
    }

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
