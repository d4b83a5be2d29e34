namespace Golog.Storage.Tests;

/// <summary>Kafka producer ids are never handed out twice: a retried batch of an old producer must never pass for a new one's.</summary>
public sealed class ProducerIdStoreTests : TempDirectoryTest
{
    [Fact]
    public void Ids_are_distinct_within_a_run_and_across_restarts_even_after_a_crash_mid_block()
    {
        var first = ProducerIdStore.Open(DiskFileSystem.Instance, Root);
        var given = Enumerable.Range(0, ProducerIdStore.BlockSize + 5).Select(_ => first.Allocate()).ToList();

        // no close: a crash leaves only what was made durable, and that is the end of the last reserved block
        var afterCrash = ProducerIdStore.Open(DiskFileSystem.Instance, Root);
        given.AddRange(Enumerable.Range(0, 3).Select(_ => afterCrash.Allocate()));

        Assert.Equal(given.Count, given.Distinct().Count());
        Assert.True(given[^3] > given[ProducerIdStore.BlockSize + 4]);
    }

    [Fact]
    public void A_damaged_file_stops_the_store_naming_the_file_instead_of_starting_again_from_zero()
    {
        File.WriteAllText(Path.Combine(Root, StorageLayout.ProducerIdsFile), "garbage");

        var e = Assert.Throws<IOException>(() => ProducerIdStore.Open(DiskFileSystem.Instance, Root));
        Assert.Contains(StorageLayout.ProducerIdsFile, e.Message);
    }
}
