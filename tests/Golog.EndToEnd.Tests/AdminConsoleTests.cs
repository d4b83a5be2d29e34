using System.Text.Json;
using Golog.Client;
using Golog.Storage;

namespace Golog.EndToEnd.Tests;

/// <summary>The `golog` admin console against a real broker: topics, groups (with reset-offsets) and dump-log.</summary>
public sealed class AdminConsoleTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> Golog(int port, params string[] args) =>
        DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{port}", .. args]);

    [Fact]
    public async Task Lists_and_describes_coordinated_and_manual_groups_with_lag()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var created = await Golog(broker.Port, "topics", "create", "orders", "--partitions", "2");
        Assert.Equal((0, "created topic orders with 2 partitions"), (created.ExitCode, created.Stdout.Trim()));

        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync("orders", 0, ["a", "b", "c"]);
        await client.CommitAsync("manual", "orders", 0, 1);
        var joined = await client.JoinGroupAsync("live", ["orders"]);
        await client.CommitAsync("live", "orders", 0, 2, member: new(joined.MemberId, joined.GenerationId));

        var list = await Golog(broker.Port, "groups", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"live\s+stable\s+1", list.Stdout);
        Assert.Matches(@"manual\s+empty\s+0", list.Stdout);

        var describe = await Golog(broker.Port, "groups", "describe", "live");
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("group live: stable, generation 1, strategy range, 1 members", describe.Stdout);
        Assert.Matches($@"{joined.MemberId}\s+\S+\s+orders\s+orders:0,1", describe.Stdout);
        Assert.Matches($@"orders\s+0\s+2\s+3\s+1\s+{joined.MemberId}", describe.Stdout); // committed 2, high watermark 3, lag 1
        Assert.Matches(@"orders\s+1\s+-\s+0\s+-", describe.Stdout);                      // nothing committed: lag unknown
        Assert.Contains("total lag 1", describe.Stdout);
    }

    [Fact]
    public async Task Describing_a_group_the_broker_never_saw_says_so_and_fails()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var (exit, _, stderr) = await Golog(broker.Port, "groups", "describe", "nobody");
        Assert.Equal(1, exit);
        Assert.Contains("unknown_group", stderr);
    }

    [Fact]
    public async Task A_typo_partition_is_refused_and_topics_grow_and_go_only_when_asked()
    {
        using var storage = new TempStorage();
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        Assert.Equal(0, (await Golog(broker.Port, "topics", "create", "orders", "--partitions", "6")).ExitCode);

        await using (var line = await LineClient.ConnectAsync(broker.Port)) // the issue's typo, on the seed's wire
        {
            var refused = await line.RequestAsync("""{"type":"produce","topic":"orders","partition":99,"message":"typo"}""");
            Assert.StartsWith("error: unknown topic or partition orders-99: topic \"orders\" has 6 partitions (0 to 5)", refused);
        }
        var described = await Golog(broker.Port, "topics", "describe", "orders");
        Assert.Equal(0, described.ExitCode);
        Assert.Contains("topic orders: 6 partitions, 0 messages", described.Stdout);
        Assert.False(Directory.Exists(StorageLayout.PartitionDirectory(storage.Path, "orders", 6)));

        Assert.Equal((0, "topic orders now has 8 partitions"), Trimmed(await Golog(broker.Port, "topics", "alter", "orders", "-partitions", "8")));
        var shrink = await Golog(broker.Port, "topics", "alter", "orders", "--partitions", "3");
        Assert.Equal(1, shrink.ExitCode);
        Assert.Contains("already has 8 partitions", shrink.Stderr);
        Assert.Contains("invalid_partitions", shrink.Stderr);

        var listed = await Golog(broker.Port, "topics", "list", "--output", "json");
        using (var json = JsonDocument.Parse(listed.Stdout))
            Assert.Equal(8, json.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders").GetProperty("partitions").GetInt32());

        Assert.Equal((0, "deleted topic orders (8 partitions)"), Trimmed(await Golog(broker.Port, "topics", "delete", "orders")));
        Assert.Equal((0, "no topics"), Trimmed(await Golog(broker.Port, "topics", "list")));
        Assert.Empty(Directory.GetDirectories(storage.Path, "orders*"));
        var again = await Golog(broker.Port, "topics", "delete", "orders");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("unknown_topic_or_partition", again.Stderr);
    }

    [Fact]
    public async Task Reset_offsets_moves_an_empty_group_s_offsets_shows_a_dry_run_and_refuses_a_group_with_members()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.CreateTopicAsync("orders", 1);
        await client.ProduceAsync("orders", 0, ["a", "b", "c"]);
        await client.CommitAsync("billing", "orders", 0, 1);

        var dry = await Golog(broker.Port, "groups", "reset-offsets", "billing", "--to-earliest", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("nothing was changed", dry.Stdout);
        Assert.Matches(@"orders\s+0\s+1\s+0", dry.Stdout); // previous 1, new 0
        Assert.Equal(1, await client.CommittedAsync("billing", "orders", 0));

        var latest = await Golog(broker.Port, "groups", "reset-offsets", "billing", "--topic", "orders", "--to-latest");
        Assert.Equal(0, latest.ExitCode);
        Assert.Matches(@"orders\s+0\s+1\s+3", latest.Stdout);
        Assert.Equal(3, await client.CommittedAsync("billing", "orders", 0));
        Assert.Equal(0, (await Golog(broker.Port, "groups", "reset-offsets", "billing", "--to-offset", "2")).ExitCode);
        Assert.Equal(2, await client.CommittedAsync("billing", "orders", 0));

        Assert.Equal(1, (await Golog(broker.Port, "groups", "reset-offsets", "billing")).ExitCode); // no target
        var byTime = await Golog(broker.Port, "groups", "reset-offsets", "billing", "--to-datetime", "2026-12-01T00:00:00Z");
        Assert.Equal(1, byTime.ExitCode);
        Assert.Contains("no time index", byTime.Stderr);

        await client.JoinGroupAsync("billing", ["orders"]);
        var live = await Golog(broker.Port, "groups", "reset-offsets", "billing", "--to-earliest");
        Assert.Equal(1, live.ExitCode);
        Assert.Contains("group_not_empty", live.Stderr);
        Assert.Equal(2, await client.CommittedAsync("billing", "orders", 0));
    }

    [Fact]
    public async Task Dump_log_of_a_running_brokers_active_segment_reads_its_preallocated_zeros_as_the_end_not_as_damage()
    {
        using var storage = new TempStorage();
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync("live", 0, ["one", "two"]);
        await client.ProduceAsync("live", 0, "three");
        var segment = Path.Combine(StorageLayout.PartitionDirectory(storage.Path, "live", 0), StorageLayout.SegmentFileName(0) + StorageLayout.LogSuffix);

        var (exit, stdout, _) = await DotnetProgram.RunAsync("golog", ["dump-log", segment, "--verify-crc"]);

        Assert.Equal(0, exit);
        Assert.Matches(@"end: \d+ bytes of zeros after the last batch \(preallocated", stdout);
        Assert.Contains("2 batches, 3 records", stdout);

        // a write torn by a crash: the last batch's header reached the disk, its record did not (zeros are there instead)
        var bytes = File.ReadAllBytes(segment);
        RecordBatchReader.TryReadHeader(bytes, int.MaxValue, out var first);
        RecordBatchReader.TryReadHeader(bytes.AsSpan(first.Size), int.MaxValue, out var last);
        Array.Clear(bytes, first.Size + RecordBatchLayout.HeaderSize, last.Size - RecordBatchLayout.HeaderSize);
        var torn = Path.Combine(storage.Path, "torn.log");
        File.WriteAllBytes(torn, bytes);
        var damaged = await DotnetProgram.RunAsync("golog", ["dump-log", torn]);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains($"the batch at position {first.Size} runs into zeros, its CRC does not match: a torn write", damaged.Stdout);
    }

    [Fact]
    public async Task Dump_log_prints_each_batch_and_record_on_one_line_and_fails_on_a_torn_tail()
    {
        using var storage = new TempStorage();
        await using (var broker = await InProcessBroker.StartAsync(storage.Path))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            await client.ProduceAsync("events", 0, ["line one\nline two", "second"]);
        }
        var segment = Path.Combine(StorageLayout.PartitionDirectory(storage.Path, "events", 0), StorageLayout.SegmentFileName(0) + StorageLayout.LogSuffix);

        var (exit, stdout, _) = await DotnetProgram.RunAsync("golog", ["dump-log", segment, "--verify-crc", "--print-data"]);
        Assert.Equal(0, exit);
        Assert.Matches(@"baseOffset: 0 lastOffset: 1 count: 2 position: 0 .* crc: valid", stdout);
        Assert.Contains("| offset: 0 ", stdout);
        Assert.Contains("payload: \"line one\\nline two\"", stdout); // one record, one line
        Assert.Contains("payload: \"second\"", stdout);

        var torn = Path.Combine(storage.Path, "torn.log");
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(torn, bytes[..(bytes.Length - 5)]);
        var damaged = await DotnetProgram.RunAsync("golog", ["dump-log", torn]);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains("a torn write", damaged.Stdout);

        bytes[^1] ^= 0xFF; // a flipped bit in the last record
        File.WriteAllBytes(torn, bytes);
        var flipped = await DotnetProgram.RunAsync("golog", ["dump-log", torn, "--verify-crc"]);
        Assert.Equal(1, flipped.ExitCode);
        Assert.Contains("crc: INVALID", flipped.Stdout);
    }

    [Fact]
    public async Task A_broker_that_is_not_there_is_exit_2_and_a_bad_command_line_exit_1()
    {
        var unreachable = await DotnetProgram.RunAsync("golog", ["--broker", "127.0.0.1:1", "topics", "list"]);
        Assert.Equal(2, unreachable.ExitCode);
        var missing = await DotnetProgram.RunAsync("golog", ["topics", "create", "orders"]); // no --partitions
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("--partitions", missing.Stderr);
    }

    private static (int, string) Trimmed((int ExitCode, string Stdout, string Stderr) run) => (run.ExitCode, run.Stdout.Trim());
}
