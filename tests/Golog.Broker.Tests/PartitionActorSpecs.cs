using Golog.Core;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Golog.Storage;
using Serilog.Core;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

public sealed class PartitionActorSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private const string Topic = "orders";
    private static readonly TopicPartition Tp = new(Topic, 0);

    private IActorRef StartPartition(bool cleanStart = false, SyncWorker? syncWorker = null, PartitionStatus? status = null, bool openAtStart = true,
        IFileSystem? files = null) =>
        Sys.ActorOf(PartitionActor.Props(Tp, Settings, syncWorker ?? NewSyncWorker(), status ?? new PartitionStatus(), cleanStart, files, openAtStart));

    private static CoreRequest FetchAt(long correlation, long offset, TimeSpan maxWait = default) =>
        Req(correlation, new FetchCommand(Topic, 0, offset, MaxMessages: 100_000, MaxBytes: 1024 * 1024, maxWait));

    /// <summary>Produces m0..m{count-1} one request each, checks each is acknowledged at its offset, then stops the actor without a clean close (as kill -9 would).</summary>
    private async Task ProduceThenKillAsync(IActorRef partition, int count)
    {
        var probe = CreateTestProbe();
        for (int i = 0; i < count; i++) partition.Tell(Records.Produce(i, Topic, 0, $"m{i}"), probe.Ref);
        for (int i = 0; i < count; i++) Assert.Equal(i, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
        await StopAndWaitAsync(partition);
    }

    /// <summary>Everything readable from the partition, fetched in pieces without waiting.</summary>
    private async Task<List<Rec>> FetchAllAsync(IActorRef partition)
    {
        var probe = CreateTestProbe();
        var all = new List<Rec>();
        long offset = 0;
        while (true)
        {
            partition.Tell(FetchAt(0, offset), probe.Ref);
            var fetched = await probe.ExpectResultAsync<Fetched>(Patience);
            if (offset >= fetched.HighWatermark) return all;
            var records = Records.Decode(fetched);
            Assert.NotEmpty(records);
            all.AddRange(records);
            offset = records[^1].Offset + 1;
        }
    }

    [Fact]
    public async Task Concurrent_producers_each_see_increasing_offsets_and_every_offset_is_assigned_exactly_once()
    {
        const int producers = 6, requestsEach = 60;
        var partition = StartPartition();
        var probes = Enumerable.Range(0, producers).Select(_ => CreateTestProbe()).ToArray();

        // each producer sends its requests from its own thread, all at once; batches of 1-3 records
        var gate = new ManualResetEventSlim();
        var senders = probes.Select((probe, p) => Task.Run(() =>
        {
            gate.Wait();
            for (int seq = 0; seq < requestsEach; seq++)
            {
                var values = Enumerable.Range(0, seq % 3 + 1).Select(i => $"p{p}-s{seq}-r{i}").ToArray();
                partition.Tell(Records.Produce(seq, Topic, 0, values), probe.Ref);
            }
        })).ToArray();
        gate.Set();
        await Task.WhenAll(senders);

        var assigned = new Dictionary<long, string>();
        for (int p = 0; p < producers; p++)
        {
            long previousLast = -1;
            for (int seq = 0; seq < requestsEach; seq++)
            {
                var reply = await probes[p].ExpectReplyAsync(Patience);
                Assert.Equal(seq, reply.Correlation);
                var produced = Assert.IsType<Produced>(reply.Result); // one producer's acks come back in its send order
                Assert.True(produced.BaseOffset > previousLast, $"producer {p} seq {seq}: offset {produced.BaseOffset} after {previousLast}");
                Assert.Equal(seq % 3, produced.LastOffset - produced.BaseOffset);
                for (long o = produced.BaseOffset; o <= produced.LastOffset; o++)
                    Assert.True(assigned.TryAdd(o, $"p{p}-s{seq}-r{o - produced.BaseOffset}"), $"offset {o} assigned twice");
                previousLast = produced.LastOffset;
            }
        }
        int total = producers * Enumerable.Range(0, requestsEach).Sum(seq => seq % 3 + 1);
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), assigned.Keys.Order());

        // and the record stored at each offset is the one whose ack named that offset
        var stored = await FetchAllAsync(partition);
        Assert.Equal(assigned.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)), stored.Select(r => (r.Offset, r.Value)));
    }

    [Fact]
    public async Task A_produce_is_acknowledged_only_once_its_record_is_in_the_segment_file()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        for (int i = 0; i < 5; i++)
        {
            partition.Tell(Records.Produce(i, Topic, 0, $"durable-{i}"), probe.Ref);
            var produced = await probe.ExpectResultAsync<Produced>(Patience);
            Assert.Equal(i, produced.BaseOffset);

            // what a crash right now would leave: a copy of the directory, recovered as after an unclean stop
            var copy = TempDir.Create();
            try
            {
                TempDir.CopyDirectory(PartitionDir(Topic, 0), copy);
                using var recovered = PartitionLog.Open(copy, Settings.Log, cleanShutdown: false, Logger.None);
                var records = Records.ReadAll(recovered);
                Assert.Equal(Enumerable.Range(0, i + 1).Select(n => $"durable-{n}"), records.Select(r => r.Value));
            }
            finally { TempDir.Delete(copy); }
        }
    }

    [Fact]
    public async Task A_produce_whose_sync_fails_gets_storage_error_and_leaves_nothing_readable()
    {
        var syncWorker = NewSyncWorker();
        var partition = StartPartition(syncWorker: syncWorker);
        var probe = CreateTestProbe();
        partition.Tell(Records.Produce(0, Topic, 0, "kept"), probe.Ref);
        await probe.ExpectResultAsync<Produced>(Patience);

        syncWorker.Dispose(); // every later sync fails
        partition.Tell(Records.Produce(1, Topic, 0, "lost"), probe.Ref);
        var reply = await probe.ExpectReplyAsync(Patience);
        Assert.Equal(1, reply.Correlation);
        var failed = Assert.IsType<Failed>(reply.Result);
        Assert.Equal(BrokerErrorCode.StorageError, failed.Error.Code);

        var stored = await FetchAllAsync(partition);
        Assert.Equal(["kept"], stored.Select(r => r.Value));
    }

    [Fact]
    public async Task A_fetch_that_meets_a_damaged_batch_on_disk_gets_storage_error_and_the_partition_keeps_serving()
    {
        // one message per segment: the damaged batch is alone in a closed segment, the rest of the log stays readable
        var settings = BrokerSettings.From(ConfigurationFactory.ParseString("golog.segment.messages = 1")
            .WithFallback(Sys.Settings.Config)) with { StorageDirectory = Root };
        var partition = Sys.ActorOf(PartitionActor.Props(Tp, settings, NewSyncWorker(), new PartitionStatus(), cleanStart: false));
        var probe = CreateTestProbe();
        string[] values = ["a", "b", "c"];
        for (int i = 0; i < values.Length; i++)
        {
            partition.Tell(Records.Produce(i, Topic, 0, values[i]), probe.Ref);
            Assert.Equal(i, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
        }

        // the disk goes bad under the batch of offset 1 after it was acknowledged: its last byte (the record's value)
        // flips, so the header still parses and only the CRC check on read can catch it
        var segment = Path.Combine(PartitionDir(Topic, 0), StorageLayout.SegmentFileName(1) + StorageLayout.LogSuffix);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            file.Position = file.Length - 1;
            int last = file.ReadByte();
            file.Position = file.Length - 1;
            file.WriteByte((byte)(last ^ 0xFF));
        }

        partition.Tell(FetchAt(10, 1), probe.Ref);
        Assert.Equal(BrokerErrorCode.StorageError, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);

        async Task<List<Rec>> FetchedAsync(long offset)
        {
            partition.Tell(FetchAt(11, offset), probe.Ref);
            return Records.Decode(await probe.ExpectResultAsync<Fetched>(Patience));
        }
        Assert.Equal([new Rec(0, null, "a")], await FetchedAsync(0));
        Assert.Equal([new Rec(2, null, "c")], await FetchedAsync(2));
        partition.Tell(Records.Produce(12, Topic, 0, "d"), probe.Ref);
        Assert.Equal(3, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
        Assert.Equal([new Rec(3, null, "d")], await FetchedAsync(3));
        partition.Tell(FetchAt(13, 1), probe.Ref); // the damage is not served later either
        Assert.Equal(BrokerErrorCode.StorageError, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
    }

    [Fact]
    public async Task A_long_poll_fetch_at_the_high_watermark_is_answered_when_a_produce_arrives()
    {
        var partition = StartPartition();
        var consumer = CreateTestProbe();
        var producer = CreateTestProbe();
        partition.Tell(FetchAt(7, 0, maxWait: TimeSpan.FromMinutes(5)), consumer.Ref);
        await consumer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // parked, not answered empty

        partition.Tell(Records.Produce(1, Topic, 0, "wake-up"), producer.Ref);
        await producer.ExpectResultAsync<Produced>(Patience);
        var reply = await consumer.ExpectReplyAsync(Patience); // long before the five minutes
        Assert.Equal(7, reply.Correlation);
        var fetched = Assert.IsType<Fetched>(reply.Result);
        Assert.Equal(1, fetched.HighWatermark);
        Assert.Equal([new Rec(0, null, "wake-up")], Records.Decode(fetched));
    }

    [Fact]
    public async Task A_long_poll_fetch_is_answered_empty_when_its_wait_ends_without_data()
    {
        var partition = StartPartition();
        var consumer = CreateTestProbe();
        partition.Tell(FetchAt(3, 0, maxWait: TimeSpan.FromMilliseconds(300)), consumer.Ref);
        var reply = await consumer.ExpectReplyAsync(Patience);
        Assert.Equal(3, reply.Correlation);
        var fetched = Assert.IsType<Fetched>(reply.Result);
        Assert.Equal(0, fetched.Data.Length);
        Assert.Equal(0, fetched.HighWatermark);
    }

    [Fact]
    public async Task A_partition_whose_log_cannot_be_opened_answers_every_request_with_storage_error_instead_of_hanging()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(PartitionDir(Topic, 0), "a file where the partition's directory should be\n");
        var status = new PartitionStatus();
        var partition = StartPartition(status: status);
        var probe = CreateTestProbe();
        partition.Tell(Records.Produce(1, Topic, 0, "m"), probe.Ref);
        partition.Tell(FetchAt(2, 0, maxWait: TimeSpan.FromMinutes(5)), probe.Ref);
        foreach (var expected in new long[] { 1, 2 })
        {
            var reply = await probe.ExpectReplyAsync(Patience);
            Assert.Equal(expected, reply.Correlation);
            var failed = Assert.IsType<Failed>(reply.Result);
            Assert.Equal(BrokerErrorCode.StorageError, failed.Error.Code);
            Assert.Contains("could not be opened", failed.Error.Message);
        }
        Assert.True(status.Opened.IsCompleted); // metadata does not wait for it
        partition.Tell(CloseForShutdown.Instance, probe.Ref);
        Assert.False((await probe.ExpectMsgAsync<Closed>(Patience)).Clean); // no clean-shutdown marker over a damaged partition
    }

    [Theory]
    [InlineData(4)]
    [InlineData(100)]
    [InlineData(-1)]
    public async Task A_fetch_outside_the_log_gets_offset_out_of_range_with_both_bounds(long offset)
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        partition.Tell(Records.Produce(0, Topic, 0, "a", "b", "c"), probe.Ref);
        await probe.ExpectResultAsync<Produced>(Patience);

        partition.Tell(FetchAt(9, offset, maxWait: TimeSpan.FromMinutes(5)), probe.Ref);
        var reply = await probe.ExpectReplyAsync(Patience);
        Assert.Equal(9, reply.Correlation);
        var failed = Assert.IsType<Failed>(reply.Result);
        Assert.Equal(BrokerErrorCode.OffsetOutOfRange, failed.Error.Code);
        Assert.Equal(0, failed.Error.LogStartOffset);
        Assert.Equal(3, failed.Error.HighWatermark);
    }

    [Fact]
    public async Task After_an_unclean_stop_a_new_actor_recovers_every_acknowledged_record_and_continues_at_the_next_offset()
    {
        var probe = CreateTestProbe();
        await ProduceThenKillAsync(StartPartition(), 20); // no CloseForShutdown: no clean close of the segment

        var status = new PartitionStatus();
        var restarted = StartPartition(cleanStart: false, status: status);
        var stored = await FetchAllAsync(restarted);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => new Rec(i, null, $"m{i}")), stored);
        Assert.Equal(20, status.HighWatermark);

        restarted.Tell(Records.Produce(20, Topic, 0, "after-restart"), probe.Ref);
        var produced = await probe.ExpectResultAsync<Produced>(Patience);
        Assert.Equal((20L, 20L), (produced.BaseOffset, produced.LastOffset));
    }

    [Fact]
    public async Task CloseForShutdown_acknowledges_what_is_queued_replies_Closed_and_then_refuses_requests()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        var consumer = CreateTestProbe();
        partition.Tell(FetchAt(0, 0, maxWait: TimeSpan.FromMinutes(5)), consumer.Ref);
        partition.Tell(Records.Produce(1, Topic, 0, "last-words"), probe.Ref);
        partition.Tell(CloseForShutdown.Instance, probe.Ref);

        Assert.Equal(0, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
        Assert.True((await probe.ExpectMsgAsync<Closed>(Patience)).Clean);
        await consumer.ExpectResultAsync<Fetched>(Patience); // the parked fetch is not left hanging

        partition.Tell(Records.Produce(2, Topic, 0, "too-late"), probe.Ref);
        Assert.Equal(BrokerErrorCode.BrokerShuttingDown, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        partition.Tell(FetchAt(3, 0), probe.Ref);
        Assert.Equal(BrokerErrorCode.BrokerShuttingDown, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        partition.Tell(CloseForShutdown.Instance, probe.Ref);
        Assert.True((await probe.ExpectMsgAsync<Closed>(Patience)).Clean); // closing twice is harmless
        await StopAndWaitAsync(partition);

        // the clean close lets the next start skip recovery, and nothing was lost
        var restarted = StartPartition(cleanStart: true);
        Assert.Equal([new Rec(0, null, "last-words")], await FetchAllAsync(restarted));
    }

    [Fact]
    public async Task A_partition_found_on_disk_opens_on_its_first_request_and_after_a_kill_serves_every_acknowledged_record()
    {
        var probe = CreateTestProbe();
        await ProduceThenKillAsync(StartPartition(), 30); // no clean close: the next open must recover the tail
        // a torn write after the last acknowledged batch, as a crash mid-write leaves
        var active = Directory.GetFiles(PartitionDir(Topic, 0), "*.log").Max()!;
        await File.AppendAllTextAsync(active, "half a batch");

        var status = new PartitionStatus();
        var lazy = StartPartition(cleanStart: false, status: status, openAtStart: false);
        await lazy.Ask<ActorIdentity>(new Identify(1), Patience); // its start has run: an eager partition would have opened by now
        Assert.False(status.Opened.IsCompleted);
        var stored = await FetchAllAsync(lazy);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => new Rec(i, null, $"m{i}")), stored);
        Assert.True(status.Opened.IsCompleted);
        Assert.Equal(30, status.HighWatermark);
        lazy.Tell(Records.Produce(30, Topic, 0, "after-restart"), probe.Ref);
        Assert.Equal(30, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
    }

    [Fact]
    public async Task OpenPartition_publishes_the_bounds_of_a_partition_nobody_asked_yet()
    {
        var partition = StartPartition();
        var probe = CreateTestProbe();
        partition.Tell(Records.Produce(1, Topic, 0, "a", "b"), probe.Ref);
        await probe.ExpectResultAsync<Produced>(Patience);
        partition.Tell(CloseForShutdown.Instance, probe.Ref);
        await probe.ExpectMsgAsync<Closed>(Patience);
        await StopAndWaitAsync(partition);

        var status = new PartitionStatus();
        var route = new PartitionRoute(StartPartition(cleanStart: true, status: status, openAtStart: false), status);
        await route.EnsureOpen().WaitAsync(Patience);
        Assert.Equal(2, status.HighWatermark);
    }

    [Fact]
    public async Task A_partition_never_opened_in_a_run_after_a_crash_closes_cleanly_but_names_itself_unrecovered()
    {
        var probe = CreateTestProbe();
        var afterCrash = StartPartition(cleanStart: false, openAtStart: false);
        afterCrash.Tell(CloseForShutdown.Instance, probe.Ref);
        var closed = await probe.ExpectMsgAsync<Closed>(Patience);
        Assert.True(closed.Clean);
        Assert.Equal([StorageLayout.PartitionDirectoryName(Topic, 0)], closed.Unrecovered);

        var afterCleanStop = StartPartition(cleanStart: true, openAtStart: false);
        afterCleanStop.Tell(CloseForShutdown.Instance, probe.Ref);
        Assert.Empty((await probe.ExpectMsgAsync<Closed>(Patience)).Unrecovered ?? []);
    }

    [Fact]
    public async Task Partitions_reading_and_appending_through_a_cache_of_two_handles_keep_every_record()
    {
        var files = new FileHandleCache(DiskFileSystem.Instance, capacity: 2);
        var probe = CreateTestProbe();
        var partitions = Enumerable.Range(0, 5)
            .Select(p => Sys.ActorOf(PartitionActor.Props(new TopicPartition(Topic, p), Settings, NewSyncWorker(), new PartitionStatus(), false, files)))
            .ToList();
        for (int round = 0; round < 3; round++)
            for (int p = 0; p < partitions.Count; p++)
            {
                partitions[p].Tell(Records.Produce(round, Topic, p, $"p{p}-r{round}"), probe.Ref);
                Assert.Equal(round, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
            }
        for (int p = 0; p < partitions.Count; p++)
        {
            partitions[p].Tell(Req(p, new FetchCommand(Topic, p, 0, 100, 1024 * 1024, TimeSpan.Zero)), probe.Ref);
            var fetched = await probe.ExpectResultAsync<Fetched>(Patience);
            Assert.Equal(Enumerable.Range(0, 3).Select(r => $"p{p}-r{r}"), Records.Decode(fetched).Select(r => r.Value));
        }
        Assert.True(files.OpenHandles <= files.Capacity);
    }
}
