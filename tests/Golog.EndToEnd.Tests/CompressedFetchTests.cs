using System.Buffers.Binary;
using Golog.Client;
using Golog.Protocol;
using Golog.Storage;
using Serilog.Core;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Batches a Kafka producer compressed (kcat's bytes, stored as sent) are served by the JSON door as records, and a
/// batch whose block is damaged is a storage_error for that fetch, not garbage and not a lost connection. In the
/// "batches" format they go as stored, and the client decompresses them.
/// </summary>
public sealed class CompressedFetchTests
{
    private const string Topic = "zipped";
    private static readonly string Padding = string.Concat(Enumerable.Repeat("abcdefghij", 40));

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>Stores the batches as the Kafka door will (AppendRawBatch), before the broker starts on that storage.</summary>
    private static void Store(string storage, params byte[][] batches)
    {
        using var log = PartitionLog.Open(StorageLayout.PartitionDirectory(storage, Topic, 0), new LogConfig(), cleanShutdown: false, Logger.None);
        foreach (var batch in batches) log.AppendRawBatch(batch, leaderEpoch: 0);
        log.Close();
    }

    /// <summary>kcat's zstd batch (offsets 3-5) with its compressed block damaged and a CRC that matches the damage.</summary>
    private static byte[] DamagedZstd()
    {
        var damaged = Fixture("kcat-zstd.batch");
        for (int i = 61 + 8; i < damaged.Length; i += 3) damaged[i] ^= 0x5A;
        BinaryPrimitives.WriteUInt32BigEndian(damaged.AsSpan(17), Crc32C.Compute(damaged.AsSpan(21)));
        return damaged;
    }

    [Fact]
    public async Task Gzip_snappy_lz4_and_zstd_batches_from_kcat_fetch_as_their_records_with_keys_and_headers()
    {
        using var storage = new TempStorage();
        Store(storage.Path, Fixture("kcat-gzip.batch"), Fixture("kcat-snappy.batch"), Fixture("kcat-lz4.batch"), Fixture("kcat-zstd.batch"));
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);

        var fetched = await client.FetchAsync(Topic, 0, 1); // from inside the first (gzip) batch

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), fetched.Records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"key-{i % 3}"), fetched.Records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"value-{i % 3}-{Padding}"), fetched.Records.Select(r => r.Message));
        Assert.All(fetched.Records, r => Assert.Equal("hv", r.Headers!["hk"]));
    }

    [Fact]
    public async Task In_the_batches_format_compressed_batches_go_as_stored_and_the_client_reads_their_records()
    {
        using var storage = new TempStorage();
        Store(storage.Path, Fixture("kcat-gzip.batch"), Fixture("kcat-snappy.batch"), Fixture("kcat-lz4.batch"), Fixture("kcat-zstd.batch"));
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);

        using var reply = await client.FetchReplyAsync(Topic, 0, 1); // from inside the first (gzip) batch
        var records = new List<FetchedRecord>();
        foreach (var r in reply.Records) records.Add(r.ToRecord());

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"key-{i % 3}"), records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"value-{i % 3}-{Padding}"), records.Select(r => r.Message));
        Assert.All(records, r => Assert.Equal("hv", r.Headers!["hk"]));
    }

    [Fact]
    public async Task In_the_batches_format_a_damaged_block_fails_the_client_s_walk_at_that_batch()
    {
        var damaged = DamagedZstd();
        using var storage = new TempStorage();
        Store(storage.Path, Fixture("kcat-gzip.batch"), damaged);
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);

        using var reply = await client.FetchReplyAsync(Topic, 0, 0);
        var read = new List<long>();
        var error = Assert.Throws<FormatException>(() => { foreach (var r in reply.Records) read.Add(r.Offset); });

        Assert.Equal([0L, 1L, 2L], read); // the gzip batch before it, whole
        Assert.Contains("batch at offset 3 has a damaged Zstd block", error.Message);
    }

    [Fact]
    public async Task A_batch_whose_block_is_damaged_is_a_storage_error_and_the_batches_after_it_still_fetch()
    {
        var damaged = DamagedZstd();
        using var storage = new TempStorage();
        Store(storage.Path, Fixture("kcat-gzip.batch"), damaged, Fixture("kcat-lz4.batch"));
        await using var broker = await InProcessBroker.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);

        Assert.Equal([0L, 1L, 2L], (await client.FetchAsync(Topic, 0, 0)).Records.Select(r => r.Offset)); // stops before it
        var error = await Assert.ThrowsAsync<GologException>(() => client.FetchAsync(Topic, 0, 3));
        Assert.Equal(ErrorCode.StorageError, error.Code);
        Assert.Contains("batch at offset 3 has a damaged Zstd block", error.Message);
        Assert.Equal([6L, 7L, 8L], (await client.FetchAsync(Topic, 0, 6)).Records.Select(r => r.Offset)); // same connection
    }
}
