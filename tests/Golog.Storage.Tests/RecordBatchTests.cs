using System.Text;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage.Tests;

public class RecordBatchTests
{
    private const int MaxBatch = 64 * 1024 * 1024;

    private static byte[] Encode(in RecordsToAppend records, long baseOffset = 42, long timestamp = LogTestExtensions.Timestamp)
    {
        var batch = new byte[RecordBatchWriter.Measure(records, timestamp)];
        int written = RecordBatchWriter.Write(batch, baseOffset, timestamp, leaderEpoch: 0, records);
        Assert.Equal(batch.Length, written);
        return batch;
    }

    private static RecordsToAppend Values(params string[] values) => LogTestExtensions.Records(values);

    [Fact]
    public void Values_come_back_in_order_with_consecutive_offsets_and_the_batch_timestamp()
    {
        var batch = Encode(Values("first", "second", "third"), baseOffset: 100);

        var records = LogTestExtensions.Decode(batch);

        Assert.Equal(["first", "second", "third"], records.Select(r => r.Value));
        Assert.Equal([100L, 101L, 102L], records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(LogTestExtensions.Timestamp, r.Timestamp));
    }

    [Fact]
    public void A_batch_without_a_key_decodes_as_having_no_key()
    {
        var records = LogTestExtensions.Decode(Encode(Values("v")));

        Assert.Null(Assert.Single(records).Key);
    }

    [Fact]
    public void A_key_is_stored_with_every_record_of_the_batch()
    {
        var batch = Encode(Values("a", "b") with { Key = Encoding.UTF8.GetBytes("customer-7") });

        var records = LogTestExtensions.Decode(batch);

        Assert.All(records, r => Assert.Equal("customer-7", r.Key));
    }

    [Fact]
    public void An_empty_key_is_distinct_from_no_key()
    {
        var batch = Encode(Values("v") with { Key = ReadOnlyMemory<byte>.Empty });

        Assert.Equal("", Assert.Single(LogTestExtensions.Decode(batch)).Key);
    }

    [Fact]
    public void Headers_round_trip_in_order_including_empty_values()
    {
        RecordHeader[] headers =
        [
            new(Encoding.UTF8.GetBytes("trace-id"), Encoding.UTF8.GetBytes("abc123")),
            new(Encoding.UTF8.GetBytes("empty"), ReadOnlyMemory<byte>.Empty),
            new(Encoding.UTF8.GetBytes("trace-id"), Encoding.UTF8.GetBytes("second")),
        ];
        var batch = Encode(Values("x", "y") with { Headers = headers });

        var records = LogTestExtensions.Decode(batch);

        Assert.All(records, r => Assert.Equal([("trace-id", "abc123"), ("empty", ""), ("trace-id", "second")], r.Headers));
    }

    [Theory]
    [InlineData("")]
    [InlineData("line one\nline two\r\n")]
    [InlineData("grüße, 日本語, emoji 🎉")]
    [InlineData("\0 nul and \t tab")]
    public void Payloads_come_back_byte_for_byte(string value)
    {
        var records = LogTestExtensions.Decode(Encode(Values(value)));

        Assert.Equal(value, Assert.Single(records).Value);
    }

    [Fact]
    public void A_large_value_needing_multi_byte_length_varints_round_trips()
    {
        var value = new string('x', 300_000);

        Assert.Equal(value, Assert.Single(LogTestExtensions.Decode(Encode(Values(value)))).Value);
    }

    [Fact]
    public void An_encoded_batch_validates_and_reports_its_offsets_size_and_count()
    {
        var batch = Encode(Values("a", "b", "c"), baseOffset: 7);

        var status = RecordBatchReader.Validate(batch, MaxBatch, out var info);

        Assert.Equal(BatchStatus.Ok, status);
        Assert.Equal(7, info.BaseOffset);
        Assert.Equal(9, info.LastOffset);
        Assert.Equal(10, info.NextOffset);
        Assert.Equal(3, info.RecordCount);
        Assert.Equal(batch.Length, info.Size);
        Assert.Equal(LogTestExtensions.Timestamp, info.Timestamp);
    }

    [Fact]
    public void The_batch_is_kafka_record_batch_v2()
    {
        var batch = Encode(Values("a", "b"));

        Assert.Equal(2, batch[L.Magic]);
        Assert.Equal(batch.Length - L.LogOverhead, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(L.BatchLength)));
        Assert.True(RecordBatchReader.CrcMatches(batch));
    }

    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Crc32c_of_nothing_is_zero_and_differs_for_inputs_of_every_tail_length()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
        // 8-byte blocks plus a 0..7 byte tail: all take different code paths and must all count every byte
        var data = Encoding.ASCII.GetBytes("The quick brown fox jumps");
        var crcs = Enumerable.Range(0, data.Length + 1).Select(n => Crc32C.Compute(data.AsSpan(0, n))).ToList();
        Assert.Equal(crcs.Count, crcs.Distinct().Count());
    }

    [Fact]
    public void Flipping_any_byte_from_the_magic_byte_on_makes_the_batch_corrupt()
    {
        var original = Encode(Values("hello", "world") with { Key = "k"u8.ToArray() });

        for (int i = L.Magic; i < original.Length; i++)
        {
            var damaged = (byte[])original.Clone();
            damaged[i] ^= 0x01;
            Assert.True(RecordBatchReader.Validate(damaged, MaxBatch, out _) == BatchStatus.Corrupt, $"flip at byte {i} went unnoticed");
        }
    }

    [Fact]
    public void A_damaged_length_field_never_validates()
    {
        var original = Encode(Values("hello"));

        for (int i = L.BatchLength; i < L.BatchLength + 4; i++)
        {
            var damaged = (byte[])original.Clone();
            damaged[i] ^= 0x01;
            Assert.NotEqual(BatchStatus.Ok, RecordBatchReader.Validate(damaged, MaxBatch, out _));
        }
    }

    [Fact]
    public void Every_truncated_prefix_of_a_batch_is_incomplete_not_corrupt()
    {
        var batch = Encode(Values("some value", "another"));

        for (int length = 0; length < batch.Length; length++)
            Assert.Equal(BatchStatus.Incomplete, RecordBatchReader.Validate(batch.AsSpan(0, length), MaxBatch, out _));
    }

    [Fact]
    public void A_batch_longer_than_the_configured_maximum_is_corrupt()
    {
        var batch = Encode(Values(new string('x', 1000)));

        Assert.Equal(BatchStatus.Corrupt, RecordBatchReader.Validate(batch, maxBatchSize: 500, out _));
    }

    [Fact]
    public void Bytes_after_a_whole_batch_do_not_affect_its_validation()
    {
        var batch = Encode(Values("a"));
        var withTrailer = batch.Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray();

        Assert.Equal(BatchStatus.Ok, RecordBatchReader.Validate(withTrailer, MaxBatch, out var info));
        Assert.Equal(batch.Length, info.Size);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(-1L)]
    [InlineData(63L)]
    [InlineData(64L)]
    [InlineData(-64L)]
    [InlineData(-65L)]
    [InlineData(300L)]
    [InlineData(int.MaxValue)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Varints_round_trip_in_the_size_they_report(long value)
    {
        var buffer = new byte[10];
        int written = Varint.Write(buffer, value);

        Assert.Equal(Varint.Size(value), written);
        Assert.Equal(written, Varint.Read(buffer, out long read));
        Assert.Equal(value, read);
        Assert.Equal(0, Varint.Read(buffer.AsSpan(0, written - 1), out _)); // cut short: not a value
    }
}

/// <summary>The per-record form of <see cref="RecordsToAppend"/>: what a Kafka-style producer sends through the encoder.</summary>
public class PerRecordEncodingTests : TempDirectoryTest
{
    private static readonly byte[] K1 = "k1"u8.ToArray(), K2 = "k2"u8.ToArray();

    private static byte[] Encode(in RecordsToAppend records, long timestamp = LogTestExtensions.Timestamp, int leaderEpoch = 0)
    {
        var batch = new byte[RecordBatchWriter.Measure(records, timestamp)];
        Assert.Equal(batch.Length, RecordBatchWriter.Write(batch, 50, timestamp, leaderEpoch, records));
        return batch;
    }

    private static long Int64At(byte[] batch, int field) => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(batch.AsSpan(field));

    [Fact]
    public void Every_record_keeps_its_own_key_headers_and_timestamp()
    {
        RecordToAppend[] records =
        [
            new("a"u8.ToArray(), K1, new RecordHeader[] { new("h"u8.ToArray(), "1"u8.ToArray()) }, 1_000),
            new("b"u8.ToArray(), null, default, 1_005),
            new("c"u8.ToArray(), K2, new RecordHeader[] { new("h"u8.ToArray(), "3"u8.ToArray()), new("x"u8.ToArray(), ReadOnlyMemory<byte>.Empty) }, 990),
        ];

        var decoded = LogTestExtensions.Decode(Encode(new RecordsToAppend(records)));

        Assert.Equal(
            [new Rec(50, 1_000, "k1", "a", [("h", "1")]), new Rec(51, 1_005, null, "b", []), new Rec(52, 990, "k2", "c", [("h", "3"), ("x", "")])],
            decoded, RecEquality.Instance);
    }

    /// <summary>The shared form (a JSON produce) has its own encoding loop: it must store exactly what the per-record form stores.</summary>
    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void A_batch_given_one_key_and_header_set_for_all_is_stored_as_the_same_records_given_one_by_one(bool keyed, int headerCount)
    {
        var values = new ReadOnlyMemory<byte>[] { "a"u8.ToArray(), Array.Empty<byte>(), Encoding.UTF8.GetBytes("zürich ✓"), new byte[300], new byte[70_000] };
        ReadOnlyMemory<byte>? key = keyed ? Encoding.UTF8.GetBytes("ключ") : null;
        var headers = Enumerable.Range(0, headerCount)
            .Select(i => new RecordHeader(Encoding.UTF8.GetBytes($"h{i}"), i == 0 ? ReadOnlyMemory<byte>.Empty : new byte[200 * i])).ToArray();
        var perRecord = values.Select(v => new RecordToAppend(v, key, headers)).ToArray();
        // 200 records: offset deltas past 63 take two varint bytes
        var many = Enumerable.Range(0, 200).Select(i => values[i % values.Length]).ToArray();

        Assert.Equal(Encode(new RecordsToAppend(perRecord)), Encode(new RecordsToAppend(values, key, headers)));
        Assert.Equal(Encode(new RecordsToAppend(many.Select(v => new RecordToAppend(v, key, headers)).ToArray())),
            Encode(new RecordsToAppend(many, key, headers)));
    }

    [Fact]
    public void The_base_timestamp_is_the_first_records_and_the_max_timestamp_the_largest()
    {
        RecordToAppend[] records = [new("a"u8.ToArray(), TimestampMs: 2_000), new("b"u8.ToArray(), TimestampMs: 9_000), new("c"u8.ToArray(), TimestampMs: 1_500)];

        var batch = Encode(new RecordsToAppend(records));

        Assert.Equal(2_000, Int64At(batch, RecordBatchLayout.BaseTimestamp));
        Assert.Equal(9_000, Int64At(batch, RecordBatchLayout.MaxTimestamp));
    }

    [Fact]
    public void Records_without_a_timestamp_get_the_appends_one()
    {
        RecordToAppend[] records = [new("a"u8.ToArray()), new("b"u8.ToArray(), TimestampMs: 7)];

        var decoded = LogTestExtensions.Decode(Encode(new RecordsToAppend(records), timestamp: 5));

        Assert.Equal([5L, 7], decoded.Select(r => r.Timestamp));
    }

    [Fact]
    public void The_leader_epoch_is_written_and_producer_fields_say_no_producer()
    {
        var batch = Encode(LogTestExtensions.Records("a"), leaderEpoch: 9);

        Assert.Equal(9, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batch.AsSpan(RecordBatchLayout.PartitionLeaderEpoch)));
        Assert.Equal(-1, Int64At(batch, RecordBatchLayout.ProducerId));
        Assert.Equal(LogTestExtensions.Timestamp, Int64At(batch, RecordBatchLayout.MaxTimestamp));
    }

    [Fact]
    public void A_per_record_batch_appended_to_a_log_reads_back_with_its_keys()
    {
        using var log = LogTestExtensions.OpenLog(PartitionDir, new LogConfig());
        RecordToAppend[] records = [new("a"u8.ToArray(), K1), new("b"u8.ToArray(), K2)];

        log.Append(new RecordsToAppend(records), LogTestExtensions.Timestamp, leaderEpoch: 2);
        log.Flush();

        Assert.Equal(["k1", "k2"], LogTestExtensions.Decode(log.Read(0, 1 << 20).Bytes).Select(r => r.Key));
        Assert.Equal([new EpochEntry(2, 0)], log.LeaderEpochs);
    }
}
