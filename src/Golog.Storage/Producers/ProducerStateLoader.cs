using System.Buffers.Binary;
using Serilog;

namespace Golog.Storage;

/// <summary>
/// Rebuilds a partition's producer state from disk, as Kafka's log loader does: the newest whole snapshot at or
/// before the log end, then the producer fields of every batch header after it (headers only: no record is read,
/// nothing is decompressed). Snapshots past the log end describe batches a crash or a truncation took away and are
/// deleted first, so they can never be mistaken for state once the log grows past them again.
/// </summary>
internal static class ProducerStateLoader
{
    public static ProducerStateTable Load(IFileSystem files, string directory, IReadOnlyList<Segment> segments, ILogger log)
    {
        long logStart = segments[0].BaseOffset, logEnd = segments[^1].NextOffset;
        ProducerSnapshot.DeleteInterruptedWrites(files, directory);
        ProducerSnapshot.Delete(files, directory, offset => offset > logEnd);
        ProducerStateTable? table = null;
        long from = logStart;
        foreach (var offset in Enumerable.Reverse(ProducerSnapshot.Find(files, directory)))
        {
            if (offset < logStart) break; // older than every batch left: the headers from the log start say more
            var path = ProducerSnapshot.PathFor(directory, offset);
            table = ProducerSnapshot.TryParse(files.ReadAllBytes(path));
            if (table is not null) { from = offset; break; }
            log.Warning("Producer snapshot {Snapshot} is damaged; rebuilding producer state from the batch headers before it", path);
        }
        table ??= new ProducerStateTable();
        foreach (var segment in segments)
        {
            if (segment.NextOffset <= from) continue;
            if (segment == segments[^1] && segment.BaseOffset > from) SnapshotActiveBase(files, directory, segment.BaseOffset, table, log);
            segment.WalkBatchHeaders(from, header =>
            {
                var batch = ProducerBatch.Read(header, BinaryPrimitives.ReadInt64BigEndian(header));
                if (batch.HasProducerId) table.Record(batch);
            });
        }
        return table;
    }

    /// <summary>
    /// The headers of closed segments were read (no roll wrote a snapshot for the active one, a log older than
    /// snapshots): snapshot the state at the active segment's base, so that the next crash reads only its headers.
    /// </summary>
    private static void SnapshotActiveBase(IFileSystem files, string directory, long baseOffset, ProducerStateTable table, ILogger log)
    {
        try { ProducerSnapshot.Write(files, directory, baseOffset, ProducerSnapshot.Serialize(table)); }
        catch (IOException e) { log.Warning("Could not write the producer snapshot of {Directory} ({Reason}); the next start reads the batch headers again", directory, e.Message); }
    }
}
