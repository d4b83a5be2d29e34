namespace Golog.Storage.Tests;

/// <summary>The marker says whether the last stop was clean, and which partitions a clean stop left unrecovered.</summary>
public sealed class CleanShutdownMarkerTests : TempDirectoryTest
{
    [Fact]
    public void A_clean_stop_names_the_partitions_never_opened_since_a_crash_and_is_consumed_once()
    {
        CleanShutdownMarker.Write(DiskFileSystem.Instance, Root, ["orders-3", "audit-0"]);
        var previous = CleanShutdownMarker.Consume(DiskFileSystem.Instance, Root);
        Assert.True(previous.Clean);
        Assert.False(previous.IsClean("orders-3"));
        Assert.False(previous.IsClean("audit-0"));
        Assert.True(previous.IsClean("orders-0"));
        Assert.False(CleanShutdownMarker.Consume(DiskFileSystem.Instance, Root).IsClean("orders-0")); // gone: a crash from now on recovers
    }

    [Fact]
    public void A_marker_without_names_marks_every_partition_clean()
    {
        CleanShutdownMarker.Write(DiskFileSystem.Instance, Root);
        Assert.Empty(CleanShutdownMarker.Consume(DiskFileSystem.Instance, Root).Unrecovered);
    }
}
