using System.Buffers.Binary;
using static Golog.Storage.Tests.LogTestExtensions;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage.Tests;

/// <summary>Already-encoded RecordBatch v2 bytes (a Kafka producer's, a leader's) appended as they are, or refused whole.</summary>
public class RawBatchAppendTests : TempDirectoryTest
{
    private PartitionLog OpenWithThree()
    {
        var log = OpenLog(PartitionDir, new LogConfig { MaxBatchBytes = 1024 * 1024 });
        log.AppendUpTo(3);
        return log;
    }

    private static byte[] StoredBatch(PartitionLog log, long offset)
    {
        var read = log.Read(offset, 1).Bytes;
        RecordBatchReader.TryReadHeader(read, int.MaxValue, out var info);
        return read[..info.Size].ToArray();
    }

    [Fact]
    public void A_good_batch_is_stored_byte_for_byte_except_its_base_offset_and_leader_epoch()
    {
        using var log = OpenWithThree();
        var sent = BatchBytes.Producer("a", "b", "c");

        var (first, last) = log.AppendRawBatch(sent, leaderEpoch: 5);
        log.Flush();

        Assert.Equal((3L, 5L), (first, last));
        var stored = StoredBatch(log, 3);
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(stored));
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(L.PartitionLeaderEpoch)));
        Assert.Equal(sent[L.Magic..], stored[L.Magic..]); // CRC, attributes, producer fields, records: untouched
        Assert.True(RecordBatchReader.CrcMatches(stored)); // the stamped fields lie outside the CRC
        Assert.Equal(BatchBytes.ProducerId, BinaryPrimitives.ReadInt64BigEndian(stored.AsSpan(L.ProducerId)));
        Assert.Equal(BatchBytes.BaseSequence, BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(L.BaseSequence)));
    }

    [Fact]
    public void Its_records_keep_their_keys_headers_and_timestamps_and_get_the_log_offsets()
    {
        using var log = OpenWithThree();
        log.AppendRawBatch(BatchBytes.Producer("a", "b"), leaderEpoch: 0);
        log.Flush();

        var records = Decode(log.Read(3, 1024 * 1024).Bytes);

        Assert.Equal(
            [new Rec(3, Timestamp, "key-0", "a", [("h", "hv-0")]), new Rec(4, Timestamp + 10, "key-1", "b", [("h", "hv-1")])],
            records, RecEquality.Instance);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal((5L, 5L), log.AppendDurably(ValueFor(5))); // the JSON path continues after it
        log.Dispose();
        using var reopened = OpenLog(PartitionDir, log.Config); // recovery accepts the stored batch
        Assert.Equal(6, reopened.LogEndOffset);
        Assert.Equal("b", reopened.ReadRecord(4)!.Value);
    }

    [Fact]
    public void A_compressed_batch_is_checked_by_header_and_crc_only_and_counts_its_header_record_count()
    {
        using var log = OpenWithThree();
        // gzip attribute with bytes that are no plain records: storage never decompresses, so it must not walk them
        var batch = BatchBytes.Producer("x");
        batch = [.. batch[..L.HeaderSize], .. new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8 }];
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(L.Attributes), 1);
        batch = BatchBytes.Recrc(BatchBytes.WithRecordCount(BatchBytes.FixLength(batch), 4));

        Assert.Equal((3L, 6L), log.AppendRawBatch(batch, leaderEpoch: 0));
        log.Flush();

        Assert.Equal(7, log.LogEndOffset);
        Assert.Equal(batch[L.Magic..], StoredBatch(log, 3)[L.Magic..]);
    }

    public static TheoryData<string, string> BadBatches => new()
    {
        { "crc", "batch CRC mismatch" },
        { "magic", "batch magic 1 is not 2" },
        { "truncated", "batch length field says" },
        { "shorter-than-header", "shorter than a batch header" },
        { "trailing-bytes", "batch length field says" },
        { "count-vs-last-delta", "record count 3 does not match last offset delta 4" },
        { "count-above-records", "record 2 of 3 is malformed or missing" },
        { "count-below-records", "bytes after its 1 records" },
        { "delta-not-from-zero", "record 0 has offset delta 1" },
        { "too-large", "exceeds the largest storable batch" },
        { "unknown-compression", "compression type 7 is unknown" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public void A_bad_batch_is_refused_with_a_clear_reason_and_nothing_is_appended(string kind, string reason)
    {
        using var log = OpenWithThree();
        var fileBefore = File.ReadAllBytes(LogFile(PartitionDir, 0));
        var batch = Bad(kind);

        var refused = Assert.Throws<InvalidBatchException>(() => log.AppendRawBatch(batch, leaderEpoch: 1));
        log.Flush();

        Assert.Contains(reason, refused.Message);
        Assert.Equal(kind == "too-large" ? InvalidBatchReason.TooLarge : InvalidBatchReason.Corrupt, refused.Reason);
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(fileBefore, File.ReadAllBytes(LogFile(PartitionDir, 0)));
        Assert.DoesNotContain(log.LeaderEpochs, e => e.Epoch == 1);
        Assert.Equal((3L, 3L), log.AppendDurably(ValueFor(3))); // the log goes on as if nothing was sent
    }

    private static byte[] Bad(string kind)
    {
        var good = BatchBytes.Producer("a", "b", "c");
        var one = BatchBytes.Producer("a");
        switch (kind)
        {
            case "crc": good[^1] ^= 0x01; return good;
            case "magic": good[L.Magic] = 1; return BatchBytes.Recrc(good);
            case "truncated": return good[..^4];
            case "shorter-than-header": return good[..(L.HeaderSize - 1)];
            case "trailing-bytes": return [.. good, 0, 0];
            case "count-vs-last-delta": return BatchBytes.Recrc(BatchBytes.WithInt32(good, L.LastOffsetDelta, 4));
            case "count-above-records": return BatchBytes.WithRecordCount(BatchBytes.Producer("a", "b"), 3);
            case "count-below-records": return BatchBytes.WithRecordCount(BatchBytes.Producer("a", "b"), 1);
            case "delta-not-from-zero":
                // one record: [length][attributes][timestamp delta][offset delta]...; zig-zag 1 is 2, the same size as 0
                Assert.Equal(0, one[L.HeaderSize + 3]);
                one[L.HeaderSize + 3] = 2;
                return BatchBytes.Recrc(one);
            case "too-large":
                return BatchBytes.Producer(new string('x', 2 * 1024 * 1024));
            case "unknown-compression":
                BinaryPrimitives.WriteInt16BigEndian(good.AsSpan(L.Attributes), 7);
                return BatchBytes.Recrc(good);
        }
        throw new ArgumentException(kind);
    }

    [Fact]
    public void A_batch_over_the_configured_maximum_is_refused_as_too_large()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { MaxBatchBytes = 200 });
        var batch = BatchBytes.Producer(new string('x', 300));

        var refused = Assert.Throws<InvalidBatchException>(() => log.AppendRawBatch(batch, leaderEpoch: 0));

        Assert.Equal(InvalidBatchReason.TooLarge, refused.Reason);
        Assert.Equal($"batch of {batch.Length} bytes exceeds the largest storable batch (200 bytes)", refused.Message);
        Assert.Equal(0, log.LogEndOffset);
    }
}

/// <summary>Records compared by value, headers included (the record type's own equality compares header arrays by reference).</summary>
public sealed class RecEquality : IEqualityComparer<Rec>
{
    public static readonly RecEquality Instance = new();
    public bool Equals(Rec? a, Rec? b) =>
        a is not null && b is not null && a with { Headers = [] } == b with { Headers = [] } && a.Headers.SequenceEqual(b.Headers);
    public int GetHashCode(Rec r) => r.Offset.GetHashCode();
}
