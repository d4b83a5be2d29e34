using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Golog.Client;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A produce with "batch" (a RecordBatch v2 the client encoded, in base64) through a real broker: stored with its
/// keys, headers and values as a JSON produce of the same messages would be, deduplicated by the producer fields
/// inside it, and a damaged or transactional batch refused in words with nothing stored and the connection usable.
/// </summary>
public sealed class BatchProduceTests
{
    private static readonly string[] Messages =
        ["plain", "quote \" backslash \\ newline \n", "non-ASCII é ü 中文 😀", "", new string('m', 1 << 20)];

    private static ReadOnlyMemory<byte>[] Utf8(IEnumerable<string> messages) => [.. messages.Select(m => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(m))];

    [Fact]
    public async Task An_encoded_batch_is_stored_with_its_key_headers_and_values_as_a_json_produce_is()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        var headers = new Dictionary<string, string> { ["trace"] = "x1", ["é"] = "\n" };

        var encoded = await client.ProduceBatchAsync("t", 0, Utf8(Messages), "clé", headers, null, AckLevel.All, CancellationToken.None);
        var json = await client.ProduceAsync("t", 0, Utf8(Messages), "clé", headers);

        Assert.Equal((0L, 4L, 5L, 9L), (encoded.BaseOffset, encoded.LastOffset, json.BaseOffset, json.LastOffset));
        var stored = (await client.FetchAsync("t", 0, 0, maxMessages: 10, maxBytes: 4 << 20)).Records;
        Assert.Equal([.. Messages, .. Messages], stored.Select(r => r.Message));
        Assert.All(stored, r => Assert.Equal("clé", r.Key));
        Assert.All(stored, r => Assert.Equal(headers.OrderBy(h => h.Key), r.Headers!.OrderBy(h => h.Key)));
    }

    [Fact]
    public async Task A_retried_idempotent_batch_is_answered_with_its_original_offsets_and_stored_once()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        var (id, epoch) = await client.InitProducerIdAsync();
        var batch = new ProducerSequence(id, epoch, 0);

        var first = await client.ProduceBatchAsync("t", 0, Utf8(["a", "b"]), null, null, batch, AckLevel.All, CancellationToken.None);
        var retry = await client.ProduceBatchAsync("t", 0, Utf8(["a", "b"]), null, null, batch, AckLevel.All, CancellationToken.None);
        var gap = await Assert.ThrowsAsync<GologException>(() =>
            client.ProduceBatchAsync("t", 0, Utf8(["c"]), null, null, batch with { FirstSequence = 5 }, AckLevel.All, CancellationToken.None));

        Assert.Equal((0L, 1L), (first.BaseOffset, first.LastOffset));
        Assert.Equal((0L, 1L), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Code);
        Assert.Equal(["a", "b"], (await client.FetchAsync("t", 0, 0)).Records.Select(r => r.Message));
    }

    [Fact]
    public async Task A_damaged_or_transactional_batch_is_refused_in_words_and_the_connection_goes_on()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        var records = new RecordsToAppend(Utf8(["x", "y"]));
        var batch = new byte[RecordBatchWriter.Measure(records, 1)];
        RecordBatchWriter.Write(batch, 0, 1, 0, records);

        var damaged = (byte[])batch.Clone();
        damaged[^1] ^= 0x01;
        var transactional = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt16BigEndian(transactional.AsSpan(RecordBatchLayout.Attributes), 0x10);
        BinaryPrimitives.WriteUInt32BigEndian(transactional.AsSpan(RecordBatchLayout.Crc), Crc32C.Compute(transactional.AsSpan(RecordBatchLayout.Attributes)));
        string Produce(int id, byte[] b) => $$"""{"type":"produce","id":{{id}},"topic":"t","partition":0,"batch":"{{Convert.ToBase64String(b)}}"}""";

        var corrupt = Error(await client.RequestAsync(Produce(1, damaged)));
        var refused = Error(await client.RequestAsync(Produce(2, transactional)));
        var stored = JsonDocument.Parse(await client.RequestAsync(Produce(3, batch))).RootElement;

        Assert.Equal(("corrupt_message", "t-0: batch CRC mismatch"), corrupt);
        Assert.Equal(("corrupt_message", "t-0: transactional and control batches are refused: Golog has no transactions"), refused);
        Assert.Equal((0, 1), (stored.GetProperty("base_offset").GetInt64(), stored.GetProperty("last_offset").GetInt64()));
    }

    private static (string?, string?) Error(string line)
    {
        var error = JsonDocument.Parse(line).RootElement.GetProperty("error");
        return (error.GetProperty("code").GetString(), error.GetProperty("message").GetString());
    }
}
