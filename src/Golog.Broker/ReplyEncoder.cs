using System.Buffers;
using Golog.Broker.Groups;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>What a connection remembers about a request until it is answered: enough to choose the reply style.</summary>
public readonly record struct RequestContext(RequestId? Id)
{
    public bool Framed => Id is not null;
}

/// <summary>
/// Turns actor replies into reply lines in the style the request asked for (seed text or framed JSON). Fetched
/// batches are CRC-checked and decoded here, on the connection's thread, not the partition's.
/// </summary>
public sealed class ReplyEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly FramedReplyWriter _framed;

    public ReplyEncoder() => _framed = new FramedReplyWriter(_buffer);

    /// <summary>The encoded reply; valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(RequestContext ctx, object reply)
    {
        _buffer.ResetWrittenCount();
        try
        {
            Write(ctx, reply);
        }
        catch (Exception e) when (e is CorruptLogException or InvalidDataException)
        {
            _buffer.ResetWrittenCount();
            Error(ctx, new ProtocolError(ErrorCode.StorageError, e.Message));
        }
        return _buffer.WrittenSpan;
    }

    private void Write(RequestContext ctx, object reply)
    {
        switch (reply)
        {
            case RequestFailed f: Error(ctx, f.Error); break;
            case Produced p when ctx.Framed: _framed.ProduceOk(ctx.Id!.Value, p.Topic, p.Partition, p.BaseOffset, p.LastOffset); break;
            case Produced p: SeedText.Ack(_buffer, p.BaseOffset); break;
            case Fetched f: Fetch(ctx, f); break;
            case CommitDone: _framed.Ok(ctx.Id!.Value); break;
            case CommittedOffset c: _framed.Committed(ctx.Id!.Value, c.Offset); break;
            case TopicCreated t: _framed.TopicCreated(ctx.Id!.Value, t.Topic, t.Partitions); break;
            case MetadataResult m: _framed.Metadata(ctx.Id!.Value, m.Topics); break;
            case GroupJoined j: _framed.GroupJoined(ctx.Id!.Value, j.Joined); break;
            case GroupAcknowledged: _framed.Ok(ctx.Id!.Value); break;
            case GroupDescribed d: _framed.GroupDescribed(ctx.Id!.Value, d.Description); break;
            case GroupsListed l: _framed.GroupsListed(ctx.Id!.Value, l.Groups); break;
            default: throw new InvalidOperationException($"no encoding for {reply.GetType().Name}");
        }
    }

    private void Error(RequestContext ctx, ProtocolError error)
    {
        if (ctx.Framed) _framed.Error(ctx.Id, error);
        else SeedText.Error(_buffer, error.Message);
    }

    private void Fetch(RequestContext ctx, Fetched f)
    {
        var valid = ValidPrefix(f.Data.Bytes);
        if (ctx.Framed) _framed.BeginFetch(ctx.Id!.Value, f.Topic, f.Partition, f.HighWatermark, f.LogStartOffset);
        int written = 0;
        while (!valid.IsEmpty && written < f.MaxMessages)
        {
            RecordBatchReader.TryReadHeader(valid, int.MaxValue, out var info);
            foreach (var record in RecordBatchReader.Records(valid[..info.Size]))
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
            valid = valid[info.Size..];
        }
        if (ctx.Framed) _framed.EndFetch();
    }

    /// <summary>
    /// The whole batches that pass their CRC, checked before anything is written so a reply never carries damaged
    /// data; a damaged first batch is an error (the client learns where the damage is), a later one ends the reply.
    /// </summary>
    private static ReadOnlySpan<byte> ValidPrefix(ReadOnlySpan<byte> data)
    {
        int length = 0;
        while (length < data.Length)
        {
            var status = RecordBatchReader.Validate(data[length..], int.MaxValue, out var info);
            if (status == BatchStatus.Incomplete) break; // cut by the byte limit; the next fetch starts there
            if (status == BatchStatus.Corrupt)
            {
                if (length == 0) throw new CorruptLogException("a stored batch failed its CRC check; the partition's data at this offset is damaged");
                break;
            }
            length += info.Size;
        }
        return data[..length];
    }
}
