using Golog.Client;
using Golog.Protocol;

namespace Golog.EndToEnd.Tests;

/// <summary>A broker whose disk fills up, for real: a 2 MiB tmpfs. Skipped, saying why, where it cannot be mounted.</summary>
public sealed class DiskFullTests
{
    private const string Topic = "disk";
    // bigger than a page, so a write cannot fit in the slack of a file's last page on a full tmpfs
    private static readonly string Big = new('x', 64 * 1024);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)] // every produce while full also has to roll a segment (seal its index, create the next file)
    public async Task A_full_disk_fails_produces_with_storage_error_keeps_reads_working_and_writes_resume_once_space_is_back(bool tenPerSegment)
    {
        using var tmpfs = TmpfsMount.TryMount("2m", out string whyNot);
        Skip.If(tmpfs is null, whyNot);
        string storage = Path.Combine(tmpfs.Path, "storage");
        var stored = new List<(long Offset, string Message)>();

        string[] args = tenPerSegment ? ["--set", "golog.segment.messages=10"] : [];

        await using (var broker = await InProcessBroker.StartAsync(storage, args))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            for (int i = 0; i < 20; i++) stored.Add(((await client.ProduceAsync(Topic, 0, $"before-{i}")).BaseOffset, $"before-{i}"));
            string filler = tmpfs.FillUp();

            // single, batch and pipelined produces all fail whole
            await AssertStorageError(client.ProduceAsync(Topic, 0, Big));
            await AssertStorageError(client.ProduceAsync(Topic, 0, [Big, "b", "c"]));
            var pipelined = Enumerable.Range(0, 5).Select(i => client.ProduceAsync(Topic, 0, Big + i)).ToList();
            foreach (var produce in pipelined) await AssertStorageError(produce);
            await AssertStorageError(client.CommitAsync("new-group", Topic, 0, 20)); // its offsets file needs a first page

            // what was acknowledged reads back, and nothing of the failed batches is visible
            Assert.Equal(stored, await FetchAllAsync(client));
            Assert.Equal(20, (await client.FetchAsync(Topic, 0, 20)).HighWatermark);

            File.Delete(filler);
            var single = await client.ProduceAsync(Topic, 0, "after-single");
            var batch = await client.ProduceAsync(Topic, 0, ["after-1", "after-2", Big]);
            Assert.Equal((20L, 20L), (single.BaseOffset, single.LastOffset)); // offsets carry on without a gap
            Assert.Equal((21L, 23L), (batch.BaseOffset, batch.LastOffset));
            stored.AddRange([(20, "after-single"), (21, "after-1"), (22, "after-2"), (23, Big)]);
            Assert.Equal(stored, await FetchAllAsync(client));
            await client.CommitAsync("new-group", Topic, 0, 24);
        }

        // a restart finds exactly what was acknowledged
        await using var restarted = await InProcessBroker.StartAsync(storage, args);
        await using var reader = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
        Assert.Equal(stored, await FetchAllAsync(reader));
        Assert.Equal(24, await reader.CommittedAsync("new-group", Topic, 0));
        Assert.Equal(24, (await reader.ProduceAsync(Topic, 0, "after-restart")).BaseOffset);
    }

    [SkippableFact]
    public async Task Reads_that_must_rebuild_a_missing_index_still_work_while_the_disk_is_full()
    {
        using var tmpfs = TmpfsMount.TryMount("2m", out string whyNot);
        Skip.If(tmpfs is null, whyNot);
        string storage = Path.Combine(tmpfs.Path, "storage");
        string[] args = ["--set", "golog.segment.messages=10"];
        var stored = new List<(long Offset, string Message)>();
        await using (var broker = await InProcessBroker.StartAsync(storage, args))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            for (int i = 0; i < 25; i++) stored.Add(((await client.ProduceAsync(Topic, 0, $"m{i}")).BaseOffset, $"m{i}"));
        }
        // the index of a closed segment is only a cache: without it the first read rebuilds it, and cannot save it
        foreach (var index in Directory.GetFiles(Path.Combine(storage, $"{Topic}-0"), "*.index")) File.Delete(index);

        await using var restarted = await InProcessBroker.StartAsync(storage, args);
        tmpfs.FillUp();
        await using var reader = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
        Assert.Equal(stored, await FetchAllAsync(reader));
    }

    private static async Task AssertStorageError(Task produce)
    {
        var error = await Assert.ThrowsAsync<GologException>(() => produce);
        Assert.Equal(ErrorCode.StorageError, error.Code);
    }

    /// <summary>Every record up to the high watermark; one fetch reads from one segment, so this takes several.</summary>
    private static async Task<List<(long, string)>> FetchAllAsync(GologClient client)
    {
        var all = new List<(long, string)>();
        for (int i = 0; i < 1000; i++)
        {
            var fetched = await client.FetchAsync(Topic, 0, all.Count, maxMessages: 1000, maxBytes: 4 * 1024 * 1024);
            all.AddRange(fetched.Records.Select(r => (r.Offset, r.Message)));
            if (all.Count >= fetched.HighWatermark) return all;
        }
        throw new InvalidOperationException("fetching did not reach the high watermark");
    }
}
