namespace Golog.Storage.Tests;

public class StorageLayoutTests : TempDirectoryTest
{
    [Fact]
    public void Partition_directories_are_found_with_topics_that_contain_dashes()
    {
        foreach (var dir in new[] { "orders-0", "orders-12", "payments-eu-3", "__consumer_offsets", "no_partition", "bad-x", "-1", "sp ace-1" })
            Directory.CreateDirectory(Path.Combine(Root, dir));

        var found = StorageLayout.FindPartitions(Root).Order().ToList();

        Assert.Equal([("orders", 0), ("orders", 12), ("payments-eu", 3)], found);
    }

    [Fact]
    public void A_missing_storage_root_has_no_partitions()
    {
        Assert.Empty(StorageLayout.FindPartitions(Path.Combine(Root, "nope")));
    }

    [Fact]
    public void A_partition_directory_name_round_trips_through_discovery()
    {
        Directory.CreateDirectory(StorageLayout.PartitionDirectory(Root, "a-b-c", 7));

        Assert.Equal(("a-b-c", 7), Assert.Single(StorageLayout.FindPartitions(Root)));
    }

    [Fact]
    public void Segment_file_names_are_twenty_digit_zero_padded_base_offsets()
    {
        Assert.Equal("00000000000000000000", StorageLayout.SegmentFileName(0));
        Assert.Equal("00000000000000000100", StorageLayout.SegmentFileName(100));
        Assert.Equal("09223372036854775807", StorageLayout.SegmentFileName(long.MaxValue));
    }

    [Fact]
    public void Deleting_a_topic_s_directories_leaves_its_other_partitions_and_other_topics_alone()
    {
        foreach (var (topic, p) in new[] { ("orders", 0), ("orders", 1), ("orders-eu", 0), ("audit", 0) })
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(StorageLayout.PartitionDirectory(Root, topic, p)).FullName, "00000000000000000000.log"), "x");

        StorageLayout.DeletePartitionDirectories(Root, "orders", 2);

        Assert.Equal([("audit", 0), ("orders-eu", 0)], StorageLayout.FindPartitions(Root).Order().ToList());
        Assert.Single(Directory.GetDirectories(Root), d => Path.GetFileName(d).StartsWith("orders", StringComparison.Ordinal)); // orders-eu-0 only
    }

    [Fact]
    public void Directories_a_crash_left_mid_deletion_are_never_partitions_and_are_removed_at_start()
    {
        Directory.CreateDirectory(StorageLayout.PartitionDirectory(Root, "kept", 0));
        var leftover = StorageLayout.PartitionDirectory(Root, "gone", 3) + "." + Guid.NewGuid().ToString("N") + StorageLayout.DeletedSuffix;
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(leftover).FullName, "00000000000000000000.log"), "x");

        Assert.Equal([("kept", 0)], StorageLayout.FindPartitions(Root).ToList());
        Assert.Equal(1, StorageLayout.RemoveDeletedLeftovers(Root));
        Assert.False(Directory.Exists(leftover));
        Assert.True(Directory.Exists(StorageLayout.PartitionDirectory(Root, "kept", 0)));
    }
}
