using System.Buffers;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker.Doors.JsonLines;

/// <summary>
/// What the JSON door remembers about a request until it is answered: its id, which also picks the reply style, and
/// for a fetch the format its records go back in.
/// </summary>
public readonly record struct JsonRequestContext(RequestId? Id, FetchFormat Format = FetchFormat.Records)
{
    public bool Framed => Id is not null;
}

/// <summary>
/// Turns core results into reply lines in the style the request asked for (seed text or framed JSON). Fetched
/// batches arrive CRC-checked by storage; they are decoded here, on the connection's thread, not the partition's.
/// </summary>
public sealed class JsonReplyEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly FramedReplyWriter _framed;

    public JsonReplyEncoder() => _framed = new FramedReplyWriter(_buffer);

    /// <summary>The encoded reply; valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(in JsonRequestContext ctx, ICoreResult result)
    {
        _buffer.ResetWrittenCount();
        Write(ctx, result);
        return _buffer.WrittenSpan;
    }

    /// <summary>An answer to a client that has asked nothing (id null): a framed error line.</summary>
    public ReadOnlySpan<byte> EncodeUnasked(BrokerError error)
    {
        _buffer.ResetWrittenCount();
        _framed.Error(null, JsonWireMapping.ToWire(error));
        return _buffer.WrittenSpan;
    }

    private void Write(in JsonRequestContext ctx, ICoreResult result)
    {
        var id = ctx.Id.GetValueOrDefault();
        switch (result)
        {
            case Failed f when ctx.Framed: _framed.Error(ctx.Id, JsonWireMapping.ToWire(f.Error)); break;
            case Failed f: SeedText.Error(_buffer, f.Error.Message); break;
            case Produced p when ctx.Framed: _framed.ProduceOk(id, p.Topic, p.Partition, p.BaseOffset, p.LastOffset); break;
            case Produced p: SeedText.Ack(_buffer, p.BaseOffset); break;
            case Fetched f: Fetch(ctx, f); break;
            case OffsetCommitted: _framed.Ok(id); break;
            case CommittedOffset c: _framed.Committed(id, c.Offset); break;
            case CoordinatorFound c: _framed.CoordinatorFound(id, JsonWireMapping.Address(c.Coordinator)); break;
            case TopicCreated t: _framed.TopicPartitions(id, t.Topic, t.Partitions); break;
            case PartitionsCreated t: _framed.TopicPartitions(id, t.Topic, t.Partitions); break;
            case TopicDeleted t: _framed.TopicPartitions(id, t.Topic, t.Partitions); break;
            case OffsetsReset r: _framed.OffsetsReset(id, r.Group, r.DryRun, JsonWireMapping.ToWire(r.Partitions)); break;
            case MetadataResult m: _framed.Metadata(id, JsonWireMapping.ToWire(m.Topics), m.Brokers.Select(JsonWireMapping.ToWire), m.Controller); break;
            case ProducerIdAssigned p: _framed.ProducerIdAssigned(id, p.ProducerId, p.Epoch); break;
            case GroupJoined j: _framed.GroupJoined(id, JsonWireMapping.ToWire(j.Joined)); break;
            case GroupAcknowledged: _framed.Ok(id); break;
            case GroupDescribed d: _framed.GroupDescribed(id, JsonWireMapping.ToWire(d.Description)); break;
            case GroupsListed l: _framed.GroupsListed(id, JsonWireMapping.ToWire(l.Groups)); break;
            default: throw new InvalidOperationException($"no JSON encoding for {result.GetType().Name}");
        }
    }

    /// <summary>
    /// The fetched records from the requested offset on, at most MaxMessages; a last batch cut short by the byte limit
    /// is left for the next fetch. Compressed batches (stored as a Kafka producer sent them) are decompressed here; one
    /// that does not decompress to its records is storage_error when it is the first, else the fetch ends before it.
    /// </summary>
    private void Fetch(in JsonRequestContext ctx, Fetched f)
    {
        if (ctx.Format == FetchFormat.Batches)
        {
            FetchBatches(ctx, f);
            return;
        }
        var remaining = f.Data.Bytes;
        int written = 0;
        bool begun = false; // the reply is opened once the first batch decoded: until then it can still be the error
        while (written < f.MaxMessages
               && RecordBatchReader.TryReadHeader(remaining, int.MaxValue, out var info) == BatchStatus.Ok)
        {
            RecordEnumerator records;
            try { records = RecordBatchReader.Records(remaining[..info.Size]); }
            catch (CorruptLogException e)
            {
                if (begun) break;
                Write(ctx, new Failed(BrokerError.Storage(e)));
                return;
            }
            if (!begun) BeginFetch(ctx, f);
            begun = true;
            foreach (var record in records)
            {
                if (record.Offset < f.FromOffset) continue;
                if (ctx.Framed)
                {
                    _framed.BeginRecord(record.Offset, record.Timestamp, record.HasKey, record.Key, record.Value);
                    foreach (var h in record.Headers) _framed.RecordHeader(h.Key, h.Value);
                    _framed.EndRecord();
                }
                else SeedText.Record(_buffer, record.Offset, record.Value);
                if (++written == f.MaxMessages) break;
            }
            remaining = remaining[info.Size..];
        }
        if (!begun) BeginFetch(ctx, f);
        if (ctx.Framed) _framed.EndFetch();
    }

    /// <summary>
    /// The stored batches as they are, whole (compressed ones too: the client decompresses), until the one that
    /// reaches MaxMessages counting from the requested offset; nothing is decoded or rendered per record.
    /// </summary>
    private void FetchBatches(in JsonRequestContext ctx, Fetched f)
    {
        var bytes = f.Data.Bytes;
        int end = 0;
        long counted = 0;
        while (counted < f.MaxMessages && RecordBatchReader.TryReadHeader(bytes[end..], int.MaxValue, out var info) == BatchStatus.Ok)
        {
            counted += info.NextOffset - Math.Max(info.BaseOffset, f.FromOffset);
            end += info.Size;
        }
        _framed.FetchBatches(ctx.Id!.Value, f.Topic, f.Partition, f.HighWatermark, f.LogStartOffset, bytes[..end]);
    }

    private void BeginFetch(in JsonRequestContext ctx, Fetched f)
    {
        if (ctx.Framed) _framed.BeginFetch(ctx.Id!.Value, f.Topic, f.Partition, f.HighWatermark, f.LogStartOffset);
    }
}
