using System.Buffers.Binary;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Golog.Core.Replication;

namespace Golog.Cluster;

/// <summary>
/// Akka.Remote's encoding of the replica fetch messages: fixed big-endian fields and the batches as raw bytes.
/// Akka's default (JSON) serializer would carry every replicated batch as base64 text and parse it back, which cost
/// more CPU than the fsyncs it replicates.
/// </summary>
public sealed class ReplicationSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string Fetch = "F", Data = "D", Diverging = "V", Refused = "R", Progress = "P";

    public override int Identifier => 4711;

    public override string Manifest(object o) => o switch
    {
        ReplicaFetch => Fetch,
        ReplicaData => Data,
        ReplicaDiverging => Diverging,
        ReplicaRefused => Refused,
        ReplicaProgress => Progress,
        _ => throw new ArgumentException($"{o.GetType()} is not a replication message"),
    };

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case ReplicaFetch f:
            {
                var topic = Encoding.UTF8.GetBytes(f.Topic);
                var b = new byte[4 + topic.Length + 4 * 4 + 8 * 2 + 4];
                var w = new Writer(b);
                w.Bytes(topic);
                w.Int(f.Partition); w.Int(f.FollowerId); w.Int(f.Epoch); w.Long(f.FetchOffset); w.Int(f.LastFetchedEpoch); w.Long(f.FollowerFlushed); w.Int(f.MaxBytes);
                return b;
            }
            case ReplicaData d:
            {
                // up to a fetch's max bytes, every byte written below: not zeroed first
                var b = GC.AllocateUninitializedArray<byte>(4 + 8 + 8 + 4 + d.Batches.Length);
                var w = new Writer(b);
                w.Int(d.Epoch); w.Long(d.HighWatermark); w.Long(d.LogStartOffset); w.Bytes(d.Batches.Span);
                return b;
            }
            case ReplicaDiverging v:
            {
                var b = new byte[4 + 4 + 8];
                var w = new Writer(b);
                w.Int(v.Epoch); w.Int(v.DivergingEpoch); w.Long(v.EndOffset);
                return b;
            }
            case ReplicaProgress p:
            {
                var topic = Encoding.UTF8.GetBytes(p.Topic);
                var b = new byte[4 + topic.Length + 4 * 3 + 8];
                var w = new Writer(b);
                w.Bytes(topic);
                w.Int(p.Partition); w.Int(p.FollowerId); w.Int(p.Epoch); w.Long(p.Flushed);
                return b;
            }
            case ReplicaRefused r:
                return Encoding.UTF8.GetBytes(r.Reason);
            default:
                throw new ArgumentException($"{obj.GetType()} is not a replication message");
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new Reader(bytes);
        return manifest switch
        {
            Fetch => new ReplicaFetch(r.Text(), r.Int(), r.Int(), r.Int(), r.Long(), r.Int(), r.Long(), r.Int()),
            Data => ReadData(ref r),
            Diverging => new ReplicaDiverging(r.Int(), r.Int(), r.Long()),
            Refused => new ReplicaRefused(Encoding.UTF8.GetString(bytes)),
            Progress => new ReplicaProgress(r.Text(), r.Int(), r.Int(), r.Int(), r.Long()),
            _ => throw new ArgumentException($"unknown replication message manifest \"{manifest}\""),
        };
    }

    private static ReplicaData ReadData(ref Reader r)
    {
        int epoch = r.Int();
        long hw = r.Long(), start = r.Long();
        return new ReplicaData(epoch, hw, start, r.Bytes());
    }

    private ref struct Writer(Span<byte> to)
    {
        private readonly Span<byte> _to = to;
        private int _at;
        public void Int(int v) { BinaryPrimitives.WriteInt32BigEndian(_to[_at..], v); _at += 4; }
        public void Long(long v) { BinaryPrimitives.WriteInt64BigEndian(_to[_at..], v); _at += 8; }
        public void Bytes(ReadOnlySpan<byte> v) { Int(v.Length); v.CopyTo(_to[_at..]); _at += v.Length; }
    }

    private ref struct Reader(byte[] from)
    {
        private readonly byte[] _from = from;
        private int _at;
        public int Int() { int v = BinaryPrimitives.ReadInt32BigEndian(_from.AsSpan(_at)); _at += 4; return v; }
        public long Long() { long v = BinaryPrimitives.ReadInt64BigEndian(_from.AsSpan(_at)); _at += 8; return v; }
        /// <summary>The bytes in place: the message keeps the serialized array rather than a copy of a fetch's batches.</summary>
        public ReadOnlyMemory<byte> Bytes() { int n = Int(); var v = _from.AsMemory(_at, n); _at += n; return v; }
        public string Text() { int n = Int(); var v = Encoding.UTF8.GetString(_from, _at, n); _at += n; return v; }
    }
}
