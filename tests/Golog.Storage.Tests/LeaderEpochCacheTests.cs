using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>The leader-epoch checkpoint: epoch → first offset, written atomically, following appends and truncations.</summary>
public class LeaderEpochCacheTests : TempDirectoryTest
{
    private string Checkpoint => Path.Combine(PartitionDir, LeaderEpochCache.FileName);

    private LeaderEpochCache Load()
    {
        Directory.CreateDirectory(PartitionDir);
        return LeaderEpochCache.Load(DiskFileSystem.Instance, PartitionDir);
    }

    [Fact]
    public void Entries_survive_reloading_in_kafkas_text_format()
    {
        var cache = Load();
        cache.Assign(0, 0);
        cache.Assign(3, 120);
        cache.Assign(4, 500);

        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 120), new EpochEntry(4, 500)], Load().Entries);
        Assert.Equal(["0", "3", "0 0", "3 120", "4 500"], File.ReadAllLines(Checkpoint));
    }

    [Fact]
    public void Only_a_newer_epoch_adds_an_entry()
    {
        var cache = Load();
        cache.Assign(2, 10);

        cache.Assign(2, 15);
        cache.Assign(1, 20);

        Assert.Equal([new EpochEntry(2, 10)], Load().Entries);
    }

    [Fact]
    public void A_torn_temp_file_from_an_interrupted_rewrite_is_ignored_and_removed()
    {
        Load().Assign(1, 7);
        File.WriteAllText(Checkpoint + ".tmp", "0\n3\n1 7\n2 9"); // cut short mid-write

        Assert.Equal([new EpochEntry(1, 7)], Load().Entries);
        Assert.False(File.Exists(Checkpoint + ".tmp"));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("0\n2\n1 7\n")]
    [InlineData("0\n2\n5 7\n3 9\n")]
    [InlineData("1\n1\n1 7\n")]
    public void A_damaged_checkpoint_is_refused_rather_than_trusted(string content)
    {
        Directory.CreateDirectory(PartitionDir);
        File.WriteAllText(Checkpoint, content);

        var refused = Assert.Throws<CorruptLogException>(() => LeaderEpochCache.Load(DiskFileSystem.Instance, PartitionDir));

        Assert.Contains("leader epoch checkpoint", refused.Message);
    }

    [Fact]
    public void Truncating_from_the_end_removes_the_epochs_that_started_at_or_after_the_offset()
    {
        var cache = Load();
        cache.Assign(1, 0);
        cache.Assign(2, 10);
        cache.Assign(3, 20);

        cache.TruncateFromEnd(10);

        Assert.Equal([new EpochEntry(1, 0)], Load().Entries);
    }

    [Fact]
    public void Appending_batches_of_a_new_epoch_records_where_it_starts_and_that_survives_a_reopen()
    {
        using (var log = OpenLog(PartitionDir, new LogConfig()))
        {
            log.AppendUpTo(3);                                    // epoch 0
            log.AppendRawBatch(BatchBytes.Producer("a", "b"), 4); // 3, 4
            log.Append(Records("c"), Timestamp, leaderEpoch: 4);  // same epoch: no entry
            log.AppendRawBatch(BatchBytes.Producer("d"), 6);      // 6
            log.Flush();
        }

        using var reopened = OpenLog(PartitionDir, new LogConfig());
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(4, 3), new EpochEntry(6, 6)], reopened.LeaderEpochs);
    }

    [Fact]
    public void Truncating_the_log_truncates_the_epochs_and_the_next_append_starts_its_epoch_again()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(3);
        log.AppendRawBatch(BatchBytes.Producer("a", "b"), 4);
        log.AppendRawBatch(BatchBytes.Producer("c"), 5);

        log.TruncateTo(4); // inside epoch 4's batch: the whole batch goes, and epoch 4 with it

        Assert.Equal([new EpochEntry(0, 0)], log.LeaderEpochs);
        log.AppendRawBatch(BatchBytes.Producer("e"), 7);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(7, 3)], log.LeaderEpochs);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(7, 3)], LeaderEpochCache.Load(DiskFileSystem.Instance, PartitionDir).Entries);
    }

    [Fact]
    public void An_epoch_whose_batches_a_crash_lost_is_dropped_at_open()
    {
        using (var log = OpenLog(PartitionDir, new LogConfig()))
        {
            log.AppendUpTo(3);
            log.AppendRawBatch(BatchBytes.Producer("a"), 2);
            log.Flush();
        }
        Truncate(LogFile(PartitionDir, 0), BatchesInFile(LogFile(PartitionDir, 0))[^1].Position + 10); // torn last batch

        using var reopened = OpenLog(PartitionDir, new LogConfig());

        Assert.Equal(3, reopened.LogEndOffset);
        Assert.Equal([new EpochEntry(0, 0)], reopened.LeaderEpochs);
    }
}
