using System.Buffers.Binary;

namespace Golog.Storage;

/// <summary>
/// A partition's producer state as of an offset (every batch before it counted, none after), in
/// "{offset:D20}.snapshot" next to the segments: Kafka's producer snapshot, in a format of Golog's own. Written at a
/// segment roll (after the old segment's seal), atomically (<see cref="StorageLayout.ReplaceAtomically"/>), and at a
/// clean close, without an fsync (<see cref="WriteUnsynced"/>); only a cache of what the batch headers say, so a
/// damaged one is ignored and the headers after an older one are read.
/// Layout, big-endian: version i16, CRC-32C u32 of the rest, producer count i32, then per producer id i64, epoch i16,
/// last timestamp i64, batch count u8 and per batch first sequence i32, last sequence i32, first offset i64, last offset i64.
/// </summary>
internal static class ProducerSnapshot
{
    private const short Version = 1;
    private const int PreambleSize = 6; // version + CRC
    private const int ProducerSize = 8 + 2 + 8 + 1;
    private const int BatchSize = 4 + 4 + 8 + 8;
    private const string TempSuffix = ".tmp";

    public static string PathFor(string directory, long offset) =>
        Path.Combine(directory, StorageLayout.SegmentFileName(offset) + StorageLayout.SnapshotSuffix);

    public static byte[] Serialize(ProducerStateTable table)
    {
        var entries = table.Entries.ToList();
        var bytes = new byte[PreambleSize + 4 + entries.Sum(e => ProducerSize + e.Batches.Count * BatchSize)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, Version);
        BinaryPrimitives.WriteInt32BigEndian(span[PreambleSize..], entries.Count);
        int p = PreambleSize + 4;
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[p..], e.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[(p + 8)..], e.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(span[(p + 10)..], e.LastTimestamp);
            span[p + 18] = (byte)e.Batches.Count;
            p += ProducerSize;
            foreach (var b in e.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[p..], b.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(p + 4)..], b.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(p + 8)..], b.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(p + 16)..], b.LastOffset);
                p += BatchSize;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], Crc32C.Compute(span[PreambleSize..]));
        return bytes;
    }

    /// <summary>The state in <paramref name="bytes"/>; null when they are not a whole snapshot of this version.</summary>
    public static ProducerStateTable? TryParse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < PreambleSize + 4 || BinaryPrimitives.ReadInt16BigEndian(bytes) != Version
            || BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]) != Crc32C.Compute(bytes[PreambleSize..]))
            return null;
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes[PreambleSize..]);
        var table = new ProducerStateTable();
        int p = PreambleSize + 4;
        for (int i = 0; i < count; i++)
        {
            if (bytes.Length - p < ProducerSize) return null;
            var entry = new ProducerEntry(BinaryPrimitives.ReadInt64BigEndian(bytes[p..]),
                BinaryPrimitives.ReadInt16BigEndian(bytes[(p + 8)..]), BinaryPrimitives.ReadInt64BigEndian(bytes[(p + 10)..]));
            int batches = bytes[p + 18];
            p += ProducerSize;
            if (batches is 0 or > ProducerEntry.BatchesKept || bytes.Length - p < batches * BatchSize) return null;
            for (int b = 0; b < batches; b++, p += BatchSize)
                entry.Restore(new ProducerBatchRange(BinaryPrimitives.ReadInt32BigEndian(bytes[p..]), BinaryPrimitives.ReadInt32BigEndian(bytes[(p + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(p + 8)..]), BinaryPrimitives.ReadInt64BigEndian(bytes[(p + 16)..])));
            table.Add(entry);
        }
        return p == bytes.Length ? table : null;
    }

    /// <summary>Writes the snapshot of <paramref name="offset"/> so that a crash leaves the old file or the whole new one.</summary>
    public static void Write(IFileSystem files, string directory, long offset, byte[] snapshot)
    {
        var path = PathFor(directory, offset);
        StorageLayout.ReplaceAtomically(files, path, path + TempSuffix, snapshot);
    }

    /// <summary>
    /// Writes the snapshot of <paramref name="offset"/> in place, without an fsync: at a clean close, after the log's
    /// fsync. A snapshot is only a cache of the batch headers, and CRC-checked: one a power loss tore or lost means
    /// the headers after an older one are read, while two fsyncs per partition made a clean stop of thousands slow.
    /// </summary>
    public static void WriteUnsynced(IFileSystem files, string directory, long offset, byte[] snapshot) =>
        files.WriteAllBytes(PathFor(directory, offset), snapshot, sync: false);

    /// <summary>
    /// Removes the rewrites a crash cut short. At open only: while the partition runs, a roll's seal may be writing
    /// its snapshot's temp file on a sync thread, and retention (which lists snapshots) must not take it away.
    /// </summary>
    public static void DeleteInterruptedWrites(IFileSystem files, string directory)
    {
        foreach (var temp in files.ListFiles(directory, StorageLayout.SnapshotSuffix + TempSuffix)) files.Delete(temp);
    }

    /// <summary>The offsets of the snapshots in <paramref name="directory"/>, ascending.</summary>
    public static List<long> Find(IFileSystem files, string directory)
    {
        var offsets = new List<long>();
        foreach (var file in files.ListFiles(directory, StorageLayout.SnapshotSuffix))
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), System.Globalization.NumberStyles.None, null, out long offset))
                offsets.Add(offset);
        offsets.Sort();
        return offsets;
    }

    /// <summary>Deletes the snapshots whose offset <paramref name="doomed"/> selects; returns whether any went.</summary>
    public static bool Delete(IFileSystem files, string directory, Func<long, bool> doomed)
    {
        bool any = false;
        foreach (var offset in Find(files, directory).Where(doomed))
        {
            files.Delete(PathFor(directory, offset));
            any = true;
        }
        return any;
    }
}
