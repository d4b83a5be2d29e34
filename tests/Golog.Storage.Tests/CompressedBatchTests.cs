using static Golog.Storage.Tests.LogTestExtensions;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage.Tests;

/// <summary>
/// Compressed batches as producers send them (kcat's own bytes in Fixtures/, and round trips through the codecs) are
/// stored as sent and read back as their records; a damaged or exploding block is a clear error, never records.
/// </summary>
public class CompressedBatchTests : TempDirectoryTest
{
    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static readonly string Padding = string.Concat(Enumerable.Repeat("abcdefghij", 40));

    [Theory]
    [InlineData("kcat-gzip.batch", BatchCompression.Gzip)]
    [InlineData("kcat-snappy.batch", BatchCompression.Snappy)]
    [InlineData("kcat-lz4.batch", BatchCompression.Lz4)]
    [InlineData("kcat-zstd.batch", BatchCompression.Zstd)]
    public void A_kcat_batch_is_accepted_stored_as_sent_and_read_back_with_keys_and_headers(string fixture, BatchCompression codec)
    {
        var sent = Fixture(fixture);
        Assert.Equal(codec, IncomingBatch.Check(sent, 1024 * 1024).Compression);
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(2);

        Assert.Equal((2L, 4L), log.AppendRawBatch(sent, leaderEpoch: 0));
        log.Flush();

        var stored = log.Read(2, 1024 * 1024).Bytes;
        Assert.Equal(sent[L.Magic..], stored[L.Magic..sent.Length].ToArray()); // still compressed, byte for byte
        var records = RecordsOf(stored[..sent.Length]);
        Assert.Equal([2L, 3L, 4L], records.Select(r => r.Offset));
        Assert.Equal(["key-0", "key-1", "key-2"], records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(0, 3).Select(i => $"value-{i}-{Padding}"), records.Select(r => r.Value));
        Assert.All(records, r => Assert.Equal([("hk", "hv")], r.Headers));
    }

    public static TheoryData<string, BatchCompression> Encoders() => new()
    {
        { "gzip", BatchCompression.Gzip },
        { "raw snappy", BatchCompression.Snappy },
        { "xerial snappy", BatchCompression.Snappy },
        { "lz4 frame", BatchCompression.Lz4 },
        { "zstd", BatchCompression.Zstd },
    };

    private static Func<byte[], byte[]> Encoder(string name) => name switch
    {
        "gzip" => Codecs.Gzip,
        "raw snappy" => Codecs.RawSnappy,
        "xerial snappy" => data => Codecs.XerialSnappy(data, chunkSize: 1000), // several chunks
        "lz4 frame" => Codecs.Lz4Frame,
        "zstd" => Codecs.Zstd,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void A_batch_compressed_by_each_encoder_reads_as_the_same_records_as_uncompressed(string encoder, BatchCompression codec)
    {
        var values = Enumerable.Range(0, 5).Select(i => $"{i}-{Padding}").ToArray();
        var compressed = BatchBytes.Compressed(codec, Encoder(encoder), values);

        Assert.Equal(codec, IncomingBatch.Check(compressed, 1024 * 1024).Compression);
        Assert.True(compressed.Length < BatchBytes.Producer(values).Length);
        Assert.Equal(RecordsOf(BatchBytes.Producer(values)), RecordsOf(compressed), RecEquality.Instance);
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void A_damaged_block_with_a_valid_crc_is_a_corrupt_batch_error_naming_its_codec(string encoder, BatchCompression codec)
    {
        var batch = BatchBytes.Compressed(codec, Encoder(encoder), $"x-{Padding}", $"y-{Padding}");
        var damaged = (byte[])batch.Clone();
        for (int i = L.HeaderSize + 8; i < damaged.Length; i += 3) damaged[i] ^= 0x5A; // past the codec's magic: a block that lies
        BatchBytes.Recrc(damaged);

        var error = Assert.Throws<CorruptLogException>(() => RecordsOf(damaged));
        Assert.StartsWith("batch at offset 0", error.Message);
        Assert.Contains(codec.ToString(), error.Message);
    }

    [Fact]
    public void A_block_that_decompresses_to_records_other_than_the_header_says_is_refused()
    {
        var batch = BatchBytes.WithRecordCount(BatchBytes.Compressed(BatchCompression.Gzip, Codecs.Gzip, "a", "b", "c"), 4);
        Assert.Equal(4, IncomingBatch.Check(batch, 1024).RecordCount); // the header stands at produce: storage does not decompress
        var error = Assert.Throws<CorruptLogException>(() => RecordsOf(batch));
        Assert.Contains("record 3 of 4 is malformed or missing", error.Message);
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void A_zip_bomb_is_refused_before_it_takes_more_memory_than_the_bound(string encoder, BatchCompression codec)
    {
        // one record of 4 MiB of zeros: a small fraction of that compressed
        var bomb = BatchBytes.Compressed(codec, Encoder(encoder), new string('\0', 4 * 1024 * 1024));
        Assert.True(bomb.Length * 10 < 4 * 1024 * 1024);

        var error = Assert.Throws<CorruptLogException>(() => RecordsOf(bomb, maxDecompressedBytes: 1024 * 1024));
        Assert.Contains("to more than 1048576 bytes", error.Message);
        Assert.Single(RecordsOf(bomb, maxDecompressedBytes: 5 * 1024 * 1024)); // within the bound it reads
    }

    [Fact]
    public void An_unknown_codec_is_refused_at_produce()
    {
        var batch = BatchBytes.Producer("a");
        batch[L.Attributes + 1] |= 5;
        var error = Assert.Throws<InvalidBatchException>(() => IncomingBatch.Check(BatchBytes.Recrc(batch), 1024));
        Assert.Equal("batch compression type 5 is unknown", error.Message);
    }

    [Fact]
    public void An_idempotent_kcat_batch_is_appended_once_and_its_retry_is_a_duplicate()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        var sent = Fixture("kcat-lz4-idempotent.batch");

        Assert.Equal(new ProducerAppendResult(ProducerAppendOutcome.Appended, 0, 2), log.AppendClientBatch(sent, 0));
        Assert.Equal(new ProducerAppendResult(ProducerAppendOutcome.Duplicate, 0, 2), log.AppendClientBatch(sent, 0));
        Assert.Equal(3, log.LogEndOffset);
    }
}
