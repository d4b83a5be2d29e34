using System.Text;
using Golog.Storage;

namespace Golog.Kafka.Tests;

/// <summary>Hand-built Kafka requests for the wire tests, and RecordBatch v2 bytes as a producer encodes them.</summary>
public static class KafkaRequests
{
    /// <summary>One RecordBatch v2 of <paramref name="values"/>, base offset 0, as an uncompressed, non-idempotent producer sends it.</summary>
    public static byte[] Batch(params string[] values)
    {
        var records = new RecordsToAppend(values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray());
        var batch = new byte[RecordBatchWriter.Measure(records, 1_700_000_000_000)];
        RecordBatchWriter.Write(batch, 0, 1_700_000_000_000, 0, records);
        return batch;
    }

    /// <summary>Produce v3 of one batch (or any bytes) per partition of one topic.</summary>
    public static byte[] Produce(int correlationId, string topic, short acks, params (int Partition, byte[] Records)[] partitions) =>
        Produce(correlationId, topic, acks, null, 3, partitions);

    public static byte[] Produce(int correlationId, string topic, short acks, string? transactionalId, short version, params (int Partition, byte[] Records)[] partitions)
    {
        var body = new RequestBody();
        if (transactionalId is null) body.NullString(); else body.String(transactionalId);
        body.Int16(acks).Int32(30_000).Int32(1).String(topic).Int32(partitions.Length);
        foreach (var (partition, records) in partitions) body.Int32(partition).Bytes(records);
        return KafkaWireClient.Request(0, version, correlationId, body.ToArray());
    }

    /// <summary>Fetch v4 of one partition.</summary>
    public static byte[] Fetch(int correlationId, string topic, int partition, long offset, int maxWaitMs = 0, int maxBytes = 1 << 20) =>
        KafkaWireClient.Request(1, 4, correlationId, new RequestBody()
            .Int32(-1).Int32(maxWaitMs).Int32(1).Int32(maxBytes).Int8(0)
            .Int32(1).String(topic).Int32(1).Int32(partition).Int64(offset).Int32(maxBytes).ToArray());

    /// <summary>CreateTopics v2 of one topic.</summary>
    public static byte[] CreateTopic(int correlationId, string topic, int partitions, short replicationFactor = 1) =>
        KafkaWireClient.Request(19, 2, correlationId, new RequestBody()
            .Int32(1).String(topic).Int32(partitions).Int16(replicationFactor).Int32(0).Int32(0).Int32(10_000).Int8(0).ToArray());

    /// <summary>A produce response's partition entries: (partition, error, base offset).</summary>
    public static List<(int Partition, short Error, long BaseOffset)> ProduceResults(byte[] response)
    {
        var r = new ResponseReader(response);
        r.Int32(); // correlation id
        var results = new List<(int, short, long)>();
        for (int t = r.Int32(); t > 0; t--)
        {
            r.String();
            for (int p = r.Int32(); p > 0; p--)
            {
                results.Add((r.Int32(), r.Int16(), r.Int64()));
                r.Int64(); // log_append_time
            }
        }
        return results;
    }

    /// <summary>A one-partition fetch response: error, high watermark, the record bytes.</summary>
    public static (short Error, long HighWatermark, byte[] Records) FetchResult(byte[] response)
    {
        var r = new ResponseReader(response);
        r.Int32(); // correlation id
        r.Int32(); // throttle
        Assert.Equal(1, r.Int32());
        r.String();
        Assert.Equal(1, r.Int32());
        r.Int32();
        short error = r.Int16();
        long hw = r.Int64();
        r.Int64(); // last stable offset
        r.Int32(); // aborted transactions
        return (error, hw, r.Bytes() ?? []);
    }
}
