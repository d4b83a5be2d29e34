using System.Buffers;
using System.Buffers.Binary;
using Golog.Storage;
using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// A fetch reply in the "batches" format (<see cref="FramedReplyWriter.FetchBatches"/>): the stored RecordBatch v2
/// bytes in base64, read in place by <see cref="FetchReply"/> from the offset the fetch asked for, with keys,
/// headers and values exactly as stored; a damaged or cut batch is a format error, never fewer records in silence.
/// </summary>
public class BatchFetchReplyTests
{
    private static readonly RecordToAppend[] FirstBatch =
    [
        new(Utf8("plain ascii")),
        new(Utf8("quote \" backslash \\ newline \n and é ü 中文 😀"), Utf8("clé")),
        new(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, new[] { new RecordHeader(Utf8("h1"), Utf8("v")), new RecordHeader(Utf8("h\"2"), Utf8("é \n")) }),
    ];
    private static readonly RecordToAppend[] SecondBatch = [new(Utf8("second batch")), new(new byte[1 << 20])];

    /// <summary>Two batches as storage encodes them: offsets 10..12, then 13..14.</summary>
    private static byte[] Batches()
    {
        var first = Encode(10, FirstBatch);
        return [.. first, .. Encode(13, SecondBatch)];
    }

    private static byte[] Encode(long baseOffset, RecordToAppend[] records)
    {
        var toAppend = new RecordsToAppend(records);
        var bytes = new byte[RecordBatchWriter.Measure(toAppend, 1764000000000)];
        RecordBatchWriter.Write(bytes, baseOffset, 1764000000000, leaderEpoch: 0, toAppend);
        return bytes;
    }

    private static byte[] ReplyLine(byte[] batches)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new FramedReplyWriter(buffer).FetchBatches(Id("5"), "orders", 3, 15, 7, batches);
        return buffer.WrittenSpan.ToArray();
    }

    private static FetchReply InPlace(ReadOnlySpan<byte> line, long fromOffset)
    {
        var pooled = ArrayPool<byte>.Shared.Rent(line.Length);
        line.CopyTo(pooled);
        return FetchReply.Parse(pooled, line.Length, fromOffset);
    }

    private static List<(long Offset, bool HasKey, byte[] Key, byte[] Message, IReadOnlyDictionary<string, string>? Headers)> ReadAll(FetchReply reply)
    {
        var records = new List<(long, bool, byte[], byte[], IReadOnlyDictionary<string, string>?)>();
        foreach (var r in reply.Records) records.Add((r.Offset, r.HasKey, r.Key.ToArray(), r.Message.ToArray(), r.Headers()));
        return records;
    }

    [Fact]
    public void Records_come_out_as_stored_with_keys_headers_empty_and_one_mebibyte_values()
    {
        using var reply = InPlace(ReplyLine(Batches()), fromOffset: 10);

        var records = ReadAll(reply);
        Assert.Equal([10L, 11L, 12L, 13L, 14L], records.Select(r => r.Offset));
        Assert.Equal([.. FirstBatch, .. SecondBatch], records.Select(r => new RecordToAppend(r.Message)), new ValueComparer());
        Assert.Equal([false, true, true, false, false], records.Select(r => r.HasKey));
        Assert.Equal("clé", Text(records[1].Key));
        Assert.Empty(records[2].Key); // an empty key is a key
        Assert.Equal([("h1", "v"), ("h\"2", "é \n")], records[2].Headers!.Select(h => (h.Key, h.Value)));
        Assert.Null(records[0].Headers);
        Assert.Equal(1 << 20, records[4].Message.Length);
        Assert.Equal((5L, true, "orders", 3, 15L, 7L), (reply.Id, reply.Ok, reply.Topic, reply.Partition, reply.HighWatermark, reply.LogStartOffset));
    }

    [Fact]
    public void A_first_batch_that_starts_below_the_offset_asked_for_is_read_from_that_offset()
    {
        using var reply = InPlace(ReplyLine(Batches()), fromOffset: 12);
        Assert.Equal([12L, 13L, 14L], ReadAll(reply).Select(r => r.Offset));
    }

    [Fact]
    public void The_base64_is_written_without_escapes_so_it_decodes_in_place()
    {
        var line = Text(ReplyLine(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray())); // '+' and '/' among the digits
        Assert.Contains("+", line);
        Assert.Contains("/", line);
        Assert.DoesNotContain("\\u", line);
    }

    [Fact]
    public void A_batch_damaged_on_the_way_is_a_format_error()
    {
        var batches = Batches();
        batches[FirstBatch.Length + 70] ^= 0x01; // a byte of the first batch's records: its CRC no longer matches
        using var reply = InPlace(ReplyLine(batches), fromOffset: 10);
        var error = Assert.Throws<FormatException>(() => ReadAll(reply));
        Assert.Contains("fails its header or CRC check", error.Message);
    }

    [Fact]
    public void Batches_cut_short_are_a_format_error_after_the_whole_ones()
    {
        var batches = Batches();
        int firstSize = BinaryPrimitives.ReadInt32BigEndian(batches.AsSpan(8)) + 12;
        using var reply = InPlace(ReplyLine(batches[..(firstSize + 100)]), fromOffset: 10);

        var read = new List<long>();
        var error = Assert.Throws<FormatException>(() => { foreach (var r in reply.Records) read.Add(r.Offset); });
        Assert.Equal([10L, 11L, 12L], read);
        Assert.Contains("cut short", error.Message);
    }

    [Fact]
    public void Batches_that_are_not_base64_are_a_format_error()
    {
        var line = Utf8("""{"id":5,"ok":true,"topic":"t","partition":0,"high_watermark":1,"log_start_offset":0,"batches":"not base64!"}""");
        var error = Assert.Throws<FormatException>(() => InPlace(line, 0));
        Assert.Contains("not base64", error.Message);
    }

    [Fact]
    public void An_empty_batches_string_has_no_records()
    {
        using var reply = InPlace(ReplyLine([]), fromOffset: 15);
        Assert.Empty(ReadAll(reply));
    }

    private sealed class ValueComparer : IEqualityComparer<RecordToAppend>
    {
        public bool Equals(RecordToAppend a, RecordToAppend b) => a.Value.Span.SequenceEqual(b.Value.Span);
        public int GetHashCode(RecordToAppend r) => r.Value.Length;
    }
}
