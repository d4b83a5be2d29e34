using static Golog.Storage.Tests.LogTestExtensions;
using Outcome = Golog.Storage.ProducerAppendOutcome;

namespace Golog.Storage.Tests;

/// <summary>
/// The leader-epoch checkpoint and the producer state are read on first use, not at open: what is read then must be
/// what an open that read them at once would have found, whatever happened to the log in between (a clean stop, a
/// crash that tore the tail, a truncation). Each case opens two copies of the same directory: one reads the state
/// right after opening (as an eager open did), the other only when first needed, and both then do the same.
/// A clean close of a log nothing changed since a clean open writes nothing, and what a clean close writes without an
/// fsync (the active segment's index, the producer snapshot) a power loss may take away without harm.
/// </summary>
public class LazyStateTests : TempDirectoryTest
{
    private const long Pid = 77;
    private static readonly LogConfig Config = new() { SegmentMessages = 3 };
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(); // the same batches for both copies, and not expired

    private string Eager => Path.Combine(Root, "eager-0");
    private string Lazy => Path.Combine(Root, "lazy-0");

    private static ProducerAppendResult Send(PartitionLog log, int sequence, int leaderEpoch = 0, int records = 1)
    {
        var result = log.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, sequence, records, Now), leaderEpoch);
        log.Flush();
        return result;
    }

    /// <summary>Producer P's batches (sequences 0-1, 2, 3-5) in leader epochs 0, 2 and 5, over two segments.</summary>
    private void WriteLog(bool close)
    {
        var log = OpenLog(PartitionDir, Config);
        Send(log, 0, leaderEpoch: 0, records: 2);
        Send(log, 2, leaderEpoch: 2);
        Send(log, 3, leaderEpoch: 5, records: 3);
        if (close) log.Close();
        else log.Dispose(); // as a crash leaves it
    }

    private void CopyTo(params string[] copies)
    {
        foreach (var copy in copies)
        {
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(PartitionDir)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
    }

    /// <summary>The last batch of the last segment cut short, as a crash during its write leaves it.</summary>
    private void TearLastBatch()
    {
        var last = Directory.GetFiles(PartitionDir, "*" + StorageLayout.LogSuffix).Order().Last();
        Truncate(last, BatchesInFile(last)[^1].Position + 10);
    }

    private static PartitionLog ReadAtOnce(PartitionLog log)
    {
        _ = log.LeaderEpochs;
        _ = log.Producers;
        return log;
    }

    private static string[] Describe(ProducerStateTable producers) =>
        [.. producers.Entries.OrderBy(e => e.ProducerId)
            .Select(e => $"{e.ProducerId}/{e.Epoch}/{e.LastTimestamp}: {string.Join(", ", e.Batches)}")];

    private static void AssertSameState(PartitionLog eager, PartitionLog lazy)
    {
        Assert.Equal(eager.LogEndOffset, lazy.LogEndOffset);
        Assert.Equal(eager.LeaderEpochs, lazy.LeaderEpochs);
        Assert.Equal(Describe(eager.Producers), Describe(lazy.Producers));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void After_a_stop_the_state_read_later_is_what_an_open_read_at_once(bool cleanStop)
    {
        WriteLog(close: cleanStop);
        CopyTo(Eager, Lazy);

        using var eager = ReadAtOnce(OpenLog(Eager, Config, cleanShutdown: cleanStop));
        using var lazy = OpenLog(Lazy, Config, cleanShutdown: cleanStop);
        Assert.Equal(eager.ReadRecord(0)!.Value, lazy.ReadRecord(0)!.Value);
        AssertSameState(eager, lazy);
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 3, 5), Send(lazy, 3, leaderEpoch: 5, records: 3));
    }

    [Theory]
    [InlineData(true)]  // the marker says clean, but the tail does not match the index: recovered all the same
    [InlineData(false)]
    public void After_a_crash_tore_the_tail_neither_the_lost_batch_nor_its_epoch_comes_back_though_appends_pass_them_first(bool markedClean)
    {
        WriteLog(close: markedClean); // a clean close wrote a snapshot and epochs that count the batch torn below
        TearLastBatch();
        CopyTo(Eager, Lazy);

        using var eager = ReadAtOnce(OpenLog(Eager, Config, cleanShutdown: markedClean));
        using var lazy = OpenLog(Lazy, Config, cleanShutdown: markedClean);
        foreach (var log in new[] { eager, lazy })
        {
            Assert.Equal(3, log.LogEndOffset);
            // plain appends take the log past where the torn batch ended before the state is first needed
            log.Append(Records("a", "b", "c", "d"), Timestamp, leaderEpoch: 3);
            log.Flush();
            Assert.Equal(new ProducerAppendResult(Outcome.Appended, 7, 9), Send(log, 3, leaderEpoch: 3, records: 3));
        }
        AssertSameState(eager, lazy);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(2, 2), new EpochEntry(3, 3)], lazy.LeaderEpochs);
    }

    [Fact]
    public void A_truncation_before_the_state_is_first_needed_forgets_what_it_cut()
    {
        WriteLog(close: true);
        CopyTo(Eager, Lazy);

        using var eager = ReadAtOnce(OpenLog(Eager, Config, cleanShutdown: true));
        using var lazy = OpenLog(Lazy, Config, cleanShutdown: true);
        foreach (var log in new[] { eager, lazy })
        {
            log.TruncateDivergentTail(2); // epochs 2 and 5 and sequences 2-5 go
            Assert.Equal(new ProducerAppendResult(Outcome.Appended, 2, 2), Send(log, 2, leaderEpoch: 4));
        }
        AssertSameState(eager, lazy);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(4, 2)], lazy.LeaderEpochs);
    }

    [Fact]
    public void A_damaged_checkpoint_is_found_at_first_use_and_refuses_appends_while_the_log_is_still_read()
    {
        WriteLog(close: true);
        File.WriteAllText(Path.Combine(PartitionDir, LeaderEpochCache.FileName), "not a checkpoint\n");

        using var log = OpenLog(PartitionDir, Config, cleanShutdown: true);

        Assert.NotNull(log.ReadRecord(0));
        Assert.Throws<CorruptLogException>(() => log.Append(Records("x"), Timestamp));
        Assert.Equal(6, log.LogEndOffset); // nothing appended
        Assert.Throws<CorruptLogException>(() => log.LeaderEpochs);
    }

    private Dictionary<string, (DateTime Written, byte[] Content)> Files() =>
        Directory.GetFiles(PartitionDir).ToDictionary(f => Path.GetFileName(f), f => (File.GetLastWriteTimeUtc(f), File.ReadAllBytes(f)));

    [Fact]
    public void Closing_a_log_unchanged_since_a_clean_open_writes_nothing_and_the_next_open_trusts_it_again()
    {
        WriteLog(close: true);
        var closed = Files();

        using (var log = ReadAtOnce(OpenLog(PartitionDir, Config, cleanShutdown: true)))
        {
            Assert.True(log.Active.OpenedFromIndex);
            log.ReadRecord(4);
            log.Close();
        }

        Assert.Equal(closed.Keys.Order(), Files().Keys.Order());
        foreach (var (name, file) in Files())
        {
            Assert.Equal(closed[name].Written, file.Written);
            Assert.Equal(closed[name].Content, file.Content);
        }
        using var reopened = OpenLog(PartitionDir, Config, cleanShutdown: true);
        Assert.True(reopened.Active.OpenedFromIndex);
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 3, 5), Send(reopened, 3, leaderEpoch: 5, records: 3));
    }

    [Fact]
    public void Closing_a_log_recovered_after_a_crash_seals_it_even_unchanged_so_the_next_open_skips_the_scan()
    {
        WriteLog(close: false);

        using (var log = OpenLog(PartitionDir, Config))
        {
            Assert.False(log.Active.OpenedFromIndex);
            log.Close();
        }

        using var reopened = OpenLog(PartitionDir, Config, cleanShutdown: true);
        Assert.True(reopened.Active.OpenedFromIndex);
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 3, 5), Send(reopened, 3, leaderEpoch: 5, records: 3));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(2, 2), new EpochEntry(5, 3)], reopened.LeaderEpochs);
    }

    [Fact]
    public void A_power_loss_that_emptied_what_a_clean_close_wrote_unsynced_costs_a_scan_not_the_state()
    {
        WriteLog(close: true);
        Truncate(IndexFile(PartitionDir, 3), 0);
        Truncate(Path.Combine(PartitionDir, StorageLayout.SegmentFileName(6) + StorageLayout.SnapshotSuffix), 0);

        using var log = OpenLog(PartitionDir, Config, cleanShutdown: true);

        Assert.False(log.Active.OpenedFromIndex); // scanned, as after a crash
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 3, 5), Send(log, 3, leaderEpoch: 5, records: 3));
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 6, 6), Send(log, 6, leaderEpoch: 5));
    }
}
