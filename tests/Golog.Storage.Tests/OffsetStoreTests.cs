using Serilog.Core;

namespace Golog.Storage.Tests;

public class OffsetStoreTests : TempDirectoryTest
{
    private static readonly TopicPartition Orders0 = new("orders", 0);
    private static readonly TopicPartition Orders1 = new("orders", 1);
    private static readonly TopicPartition Payments0 = new("payments-eu", 0);

    private string GroupFile(string group) => StorageLayout.GroupOffsetsFile(Root, group);

    private static OffsetStore Open(string path) => OffsetStore.Open(path, Logger.None);

    /// <summary>As the group actor commits: append all, one write, one sync, then the offsets count.</summary>
    private static void Commit(OffsetStore store, params (TopicPartition Tp, long Offset)[] commits)
    {
        foreach (var (tp, offset) in commits) store.Append(tp, offset);
        long length = store.WritePending();
        store.Sync();
        store.MarkDurable(length);
    }

    [Fact]
    public void Forgetting_a_deleted_topic_drops_its_offsets_on_disk_and_keeps_the_others()
    {
        using (var store = Open(GroupFile("billing")))
        {
            Commit(store, (Orders0, 5), (Orders1, 7), (Payments0, 3));
            Assert.True(store.Forget("orders"));
            Assert.False(store.Forget("orders")); // nothing left of it
            Assert.Equal([Payments0], store.Offsets.Keys);
            Commit(store, (Payments0, 4)); // the rewritten file takes commits as before
        }

        using var reopened = Open(GroupFile("billing"));
        Assert.Equal([Payments0], reopened.Offsets.Keys);
        Assert.Equal(4, reopened.Get(Payments0));
    }

    [Fact]
    public void A_new_group_has_no_committed_offsets()
    {
        using var store = Open(GroupFile("fresh"));

        Assert.Empty(store.Offsets);
        Assert.Null(store.Get(Orders0));
    }

    [Fact]
    public void Committed_offsets_are_there_after_reopening_with_the_latest_value_per_partition()
    {
        using (var store = Open(GroupFile("billing")))
        {
            Commit(store, (Orders0, 5), (Orders1, 7));
            Commit(store, (Orders0, 12));
            Commit(store, (Payments0, 0));
            Assert.Equal(12, store.Get(Orders0));
        }

        using var reopened = Open(GroupFile("billing"));
        Assert.Equal(12, reopened.Get(Orders0));
        Assert.Equal(7, reopened.Get(Orders1));
        Assert.Equal(0, reopened.Get(Payments0));
        Assert.Equal(3, reopened.Offsets.Count);
    }

    [Fact]
    public void An_offset_may_move_backwards_when_a_consumer_rewinds()
    {
        using (var store = Open(GroupFile("g")))
        {
            Commit(store, (Orders0, 100));
            Commit(store, (Orders0, 3));
        }

        using var reopened = Open(GroupFile("g"));
        Assert.Equal(3, reopened.Get(Orders0));
    }

    [Fact]
    public void An_empty_commit_changes_nothing()
    {
        using var store = Open(GroupFile("g"));
        Commit(store);

        Assert.Equal(0, new FileInfo(GroupFile("g")).Length);
    }

    [Fact]
    public void A_written_commit_counts_only_once_durable_and_a_discarded_one_leaves_no_trace()
    {
        string path = GroupFile("g");
        using (var store = Open(path))
        {
            Commit(store, (Orders0, 1));
            long durable = new FileInfo(path).Length;
            store.Append(Orders0, 2);
            store.Append(Orders1, 9);
            long written = store.WritePending();
            Assert.True(written > durable);
            Assert.Equal(1, store.Get(Orders0)); // written to the file, but no sync has vouched for it yet
            Assert.Null(store.Get(Orders1));

            store.DiscardUndurable(); // as after a failed sync
            Assert.Equal(durable, new FileInfo(path).Length);
            Assert.Equal(1, store.Get(Orders0));
            Commit(store, (Orders1, 4));
            Assert.Equal(4, store.Get(Orders1));
        }
        using var reopened = Open(path);
        Assert.Equal(1, reopened.Get(Orders0));
        Assert.Equal(4, reopened.Get(Orders1));
    }

    [Fact]
    public void Groups_are_independent_even_when_their_names_differ_only_by_a_dash_suffix()
    {
        using (var a = Open(GroupFile("team")))
        using (var b = Open(GroupFile("team-1")))
        {
            Commit(a, (Orders0, 1));
            Commit(b, (Orders0, 99));
            Assert.NotEqual(GroupFile("team"), GroupFile("team-1"));
        }

        using var ra = Open(GroupFile("team"));
        using var rb = Open(GroupFile("team-1"));
        Assert.Equal(1, ra.Get(Orders0));
        Assert.Equal(99, rb.Get(Orders0));
    }

    [Fact]
    public void Group_offset_files_live_in_their_own_directory_under_the_storage_root()
    {
        Assert.Equal(Path.Combine(Root, "__consumer_offsets", "g-1.offsets"), GroupFile("g-1"));
    }

    [Fact]
    public void A_file_cut_at_every_byte_length_yields_the_last_complete_commit_and_accepts_new_ones()
    {
        var commits = new (TopicPartition Tp, long Offset)[]
        {
            (Orders0, 1), (Orders1, 10), (Orders0, 2), (Payments0, long.MaxValue), (Orders0, 3), (new("t", 7), 0),
        };
        string full = GroupFile("source");
        var boundaries = new List<long>();
        using (var store = Open(full))
            foreach (var c in commits)
            {
                Commit(store, c);
                boundaries.Add(new FileInfo(full).Length);
            }
        var bytes = File.ReadAllBytes(full);
        string cut = GroupFile("cut");

        for (int length = 0; length <= bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            int complete = boundaries.Count(b => b <= length);
            var expected = new Dictionary<TopicPartition, long>();
            foreach (var c in commits.Take(complete)) expected[c.Tp] = c.Offset;

            using (var store = Open(cut))
            {
                Assert.Equal(expected, store.Offsets.ToDictionary());
                Commit(store, (Orders1, 1000 + length));
            }
            using (var store = Open(cut))
            {
                expected[Orders1] = 1000 + length;
                Assert.Equal(expected, store.Offsets.ToDictionary());
            }
        }
    }

    [Fact]
    public void Garbage_after_the_last_commit_is_dropped_and_later_commits_survive()
    {
        string path = GroupFile("g");
        using (var store = Open(path)) Commit(store, (Orders0, 42));
        long length = new FileInfo(path).Length;
        using (var f = new FileStream(path, FileMode.Append)) f.Write([0, 0, 0, 20, 9, 9, 9, 9, 1, 2, 3]);

        using (var store = Open(path))
        {
            Assert.Equal(length, new FileInfo(path).Length);
            Assert.Equal(42, store.Get(Orders0));
            Commit(store, (Orders1, 43));
        }

        using var reopened = Open(path);
        Assert.Equal(42, reopened.Get(Orders0));
        Assert.Equal(43, reopened.Get(Orders1));
    }

    [Fact]
    public void A_record_with_a_damaged_crc_ends_the_replay_there()
    {
        string path = GroupFile("g");
        using (var store = Open(path))
        {
            Commit(store, (Orders0, 1));
            Commit(store, (Orders0, 2));
        }
        long recordSize = new FileInfo(path).Length / 2;
        LogTestExtensions.FlipByte(path, recordSize + 5); // the second record's CRC

        using var reopened = Open(path);
        Assert.Equal(1, reopened.Get(Orders0));
    }

    [Fact]
    public void After_thousands_of_commits_the_file_is_compacted_and_keeps_the_latest_offsets()
    {
        string path = GroupFile("busy");
        var partitions = new[] { Orders0, Orders1, Payments0 };
        long largest = 0;
        using (var store = Open(path))
        {
            for (int round = 0; round < 50; round++)
            {
                // 100 records per commit: one fsync each keeps the test fast
                Commit(store, Enumerable.Range(0, 100).Select(i => (partitions[i % 3], round * 100L + i)).ToArray());
                largest = Math.Max(largest, new FileInfo(path).Length);
            }
        }
        long final = new FileInfo(path).Length;

        Assert.True(final < largest / 4, $"file is {final} bytes, was up to {largest}");
        Assert.False(File.Exists(path + ".tmp"));
        using var reopened = Open(path);
        // the last round wrote 4900..4999, partition i % 3: i = 99, 97, 98 were the last for each
        Assert.Equal(4999, reopened.Get(Orders0));
        Assert.Equal(4997, reopened.Get(Orders1));
        Assert.Equal(4998, reopened.Get(Payments0));
    }

    [Fact]
    public void A_leftover_temp_file_from_an_interrupted_compaction_is_ignored_and_removed()
    {
        string path = GroupFile("g");
        using (var store = Open(path)) Commit(store, (Orders0, 8));
        File.WriteAllBytes(path + ".tmp", [1, 2, 3]);

        using var reopened = Open(path);

        Assert.Equal(8, reopened.Get(Orders0));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Topic_names_of_the_maximum_length_round_trip()
    {
        var longTopic = new TopicPartition(new string('t', Names.MaxLength), int.MaxValue);
        using (var store = Open(GroupFile("g"))) Commit(store, (longTopic, 5));

        using var reopened = Open(GroupFile("g"));
        Assert.Equal(5, reopened.Get(longTopic));
    }
}
