using System.Buffers;
using System.Text;
using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// The in-place fetch reply reader (<see cref="FetchReply"/>) against the object reader (<see cref="ReplyReader"/>):
/// both must see the same records in what the broker's writer produces, however the reply arrives.
/// </summary>
public class FetchReplyTests
{
    private sealed record Sample(long Offset, string? Key, string Message, (string, string)[]? Headers = null);

    private static readonly Sample[] Samples =
    [
        new(7, null, "plain ascii"),
        new(8, "k", "quote \" backslash \\ slash / newline \n tab \t bell \u0007"),
        new(9, "clé \"é\"", "non-ASCII: é ü 中文 and an emoji 😀 (escaped as a surrogate pair)"),
        new(10, "", ""),
        new(11, "both \\ escaped", "so the key and the message share the scratch buffer \u0001", [("h1", "v"), ("h\"2", "é \n")]),
        new(12, null, "after headers"),
    ];

    private static byte[] ReplyLine(IEnumerable<Sample> records, long highWatermark = 13)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new FramedReplyWriter(buffer);
        w.BeginFetch(Id("5"), "orders", 3, highWatermark, 7);
        foreach (var r in records)
        {
            w.BeginRecord(r.Offset, 1764000000000 + r.Offset, r.Key is not null, r.Key is null ? default : Utf8(r.Key), Utf8(r.Message));
            foreach (var (k, v) in r.Headers ?? []) w.RecordHeader(Utf8(k), Utf8(v));
            w.EndRecord();
        }
        w.EndFetch();
        return SingleLine(buffer.WrittenSpan.ToArray());
    }

    private static FetchReply InPlace(ReadOnlySpan<byte> line)
    {
        var pooled = ArrayPool<byte>.Shared.Rent(line.Length);
        line.CopyTo(pooled);
        return FetchReply.Parse(pooled, line.Length);
    }

    private static List<FetchedRecord> ReadAll(FetchReply reply)
    {
        var records = new List<FetchedRecord>();
        foreach (var r in reply.Records) records.Add(r.ToRecord());
        return records;
    }

    /// <summary>Both readers' records, compared field by field (the record type compares header dictionaries by reference).</summary>
    private static void AssertSameRecords(IReadOnlyList<FetchedRecord> expected, IReadOnlyList<FetchedRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i] with { Headers = null }, actual[i] with { Headers = null });
            Assert.Equal(expected[i].Headers?.OrderBy(h => h.Key), actual[i].Headers?.OrderBy(h => h.Key));
        }
    }

    [Fact]
    public void Reads_escapes_non_ascii_empty_keys_and_headers_as_the_object_reader_does()
    {
        var line = ReplyLine(Samples);
        using var reply = InPlace(line);

        var records = ReadAll(reply);
        AssertSameRecords(ReplyReader.Parse(line).Records!, records);
        Assert.Equal(Samples.Select(s => (s.Offset, s.Key, s.Message)), records.Select(r => (r.Offset, r.Key, r.Message)));
        Assert.Equal([("h1", "v"), ("h\"2", "é \n")], records[4].Headers!.Select(h => (h.Key, h.Value)));
        Assert.Equal((5L, true, "orders", 3, 13L, 7L), (reply.Id, reply.Ok, reply.Topic, reply.Partition, reply.HighWatermark, reply.LogStartOffset));
    }

    [Fact]
    public void Unescaped_messages_are_slices_of_the_reply_and_escaped_ones_come_out_as_utf8()
    {
        using var reply = InPlace(ReplyLine(Samples));
        var messages = new List<byte[]>();
        foreach (var r in reply.Records) messages.Add(r.Message.ToArray());
        Assert.Equal(Samples.Select(s => Utf8(s.Message)), messages);
    }

    [Fact]
    public async Task A_reply_split_at_every_byte_across_socket_reads_reads_the_same_records()
    {
        var line = ReplyLine(Samples);
        var expected = ReplyReader.Parse(line).Records!;
        var wire = line.Append((byte)'\n').ToArray();
        for (int cut = 1; cut < wire.Length; cut++)
        {
            var reader = new LineReader(new TwoReadStream(wire, cut), LineReader.MaxBrokerReplyBytes);
            var received = (await reader.ReadLineAsync())!.Value;
            using var reply = InPlace(received.Span);
            AssertSameRecords(expected, ReadAll(reply));
        }
    }

    [Fact]
    public void A_reply_cut_short_at_any_byte_is_a_format_error_never_fewer_records_without_one()
    {
        var line = ReplyLine(Samples);
        for (int length = 0; length < line.Length; length++)
        {
            var cut = line[..length];
            Assert.Throws<FormatException>(() =>
            {
                using var reply = InPlace(cut);
                ReadAll(reply);
            });
        }
    }

    [Fact]
    public void A_one_mebibyte_message_and_an_empty_one_are_read_whole()
    {
        var big = new string('x', 1 << 20);
        var escapedBig = string.Concat(Enumerable.Repeat("\"é", 1 << 18)); // 1 MiB of UTF-8, every other byte escaped
        var line = ReplyLine([new(0, null, big), new(1, null, ""), new(2, "k", escapedBig)], highWatermark: 3);
        using var reply = InPlace(line);

        var records = ReadAll(reply);
        AssertSameRecords(ReplyReader.Parse(line).Records!, records);
        Assert.Equal([big, "", escapedBig], records.Select(r => r.Message));
    }

    [Fact]
    public void Records_before_the_other_fields_are_read_too()
    {
        // Not how the broker writes it (records last), but a valid reply all the same.
        var line = Utf8("""{"records":[{"offset":4,"timestamp":1,"key":null,"message":"a\"b"}],"log_start_offset":2,"high_watermark":5,"id":9,"ok":true}""");
        using var reply = InPlace(line);

        Assert.Equal((9L, 5L, 2L), (reply.Id, reply.HighWatermark, reply.LogStartOffset));
        Assert.Equal([new FetchedRecord(4, 1, null, "a\"b")], ReadAll(reply));
    }

    [Fact]
    public void A_refusal_carries_its_error_and_no_records()
    {
        using var reply = InPlace(Utf8("""{"id":3,"ok":false,"error":{"code":"offset_out_of_range","message":"m","log_start_offset":0,"high_watermark":4}}"""));

        Assert.False(reply.Ok);
        Assert.Equal(new ProtocolError("offset_out_of_range", "m", 0, 4), reply.Error);
        Assert.Empty(ReadAll(reply));
    }

    [Fact]
    public void A_disposed_reply_refuses_to_hand_out_records()
    {
        var reply = InPlace(ReplyLine(Samples));
        reply.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { foreach (var _ in reply.Records) { } });
    }

    /// <summary>Hands out its bytes in two reads, cut at <c>cut</c>, as a socket may.</summary>
    private sealed class TwoReadStream(byte[] data, int cut) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int limit = Position < cut ? cut - (int)Position : int.MaxValue;
            return base.ReadAsync(buffer.Length > limit ? buffer[..limit] : buffer, cancellationToken);
        }
    }
}
