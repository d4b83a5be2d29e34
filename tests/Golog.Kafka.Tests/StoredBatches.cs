using System.Buffers.Binary;

namespace Golog.Kafka.Tests;

/// <summary>The batch headers of a partition's segment files, read straight from disk: what the broker stored.</summary>
public static class StoredBatches
{
    public readonly record struct Header(long BaseOffset, int Compression, long ProducerId, int RecordCount);

    public static List<Header> Read(string storage, string topic, int partition)
    {
        var headers = new List<Header>();
        foreach (var file in Directory.GetFiles(Path.Combine(storage, $"{topic}-{partition}"), "*.log").Order())
        {
            var bytes = File.ReadAllBytes(file);
            for (int at = 0; at + 61 <= bytes.Length;)
            {
                var b = bytes.AsSpan(at);
                if (BinaryPrimitives.ReadInt32BigEndian(b[8..]) == 0) break; // the zeros preallocated after the last batch
                headers.Add(new Header(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt16BigEndian(b[21..]) & 7,
                    BinaryPrimitives.ReadInt64BigEndian(b[43..]), BinaryPrimitives.ReadInt32BigEndian(b[57..])));
                at += BinaryPrimitives.ReadInt32BigEndian(b[8..]) + 12;
            }
        }
        return headers;
    }
}
