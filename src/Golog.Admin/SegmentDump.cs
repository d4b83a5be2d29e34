using System.Text;
using Golog.Storage;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Admin;

/// <summary>One record as dump-log prints it; key and payload as UTF-8 text (invalid bytes replaced), as the consumers show them.</summary>
internal sealed record DumpedRecord(long Offset, long Timestamp, string? Key, IReadOnlyDictionary<string, string> Headers, string Payload);

internal sealed record DumpedBatch(long BaseOffset, long LastOffset, int Count, long Position, int Size, long Timestamp, string Compression,
    bool? CrcValid, IReadOnlyList<DumpedRecord>? Records, string? RecordsError);

/// <summary>
/// A segment file walked batch by batch with <see cref="RecordBatchReader"/>, one positional read per batch (a segment
/// may be larger than one array). <see cref="Tail"/> says why the walk stopped before the end of the file, if it did;
/// <see cref="ZeroBytes"/> counts the zeros after the last batch, which are no damage: the broker preallocates the
/// active segment (segment.preallocate-bytes), and a crash leaves them there.
/// </summary>
internal sealed record SegmentDump(string File, long FileBytes, IReadOnlyList<DumpedBatch> Batches, string? Tail, long ZeroBytes = 0)
{
    /// <summary>A CRC that did not match, records that could not be read, or a file that does not end with a whole batch.</summary>
    public bool Damaged => Tail is not null || Batches.Any(b => b.CrcValid == false || b.RecordsError is not null);

    public static SegmentDump Read(string path, bool verifyCrc, bool printData)
    {
        using var handle = System.IO.File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle), position = 0;
        var batches = new List<DumpedBatch>();
        var header = new byte[L.HeaderSize];
        while (position < length)
        {
            string? problem = null;
            RandomAccess.Read(handle, header, position);
            var status = RecordBatchReader.TryReadHeader(header, int.MaxValue, out var info);
            if (length - position < L.HeaderSize)
                problem = $"{length - position} bytes at position {position} are less than a batch header: a torn write";
            else if (status == BatchStatus.Corrupt) problem = $"no valid batch header at position {position}";
            else if (info.Size > length - position)
                problem = $"the batch at position {position} needs {info.Size} bytes, the file has {length - position}: a torn write";
            if (problem is not null && ZeroTail.From((destination, at) => RandomAccess.Read(handle, destination, at), position, length))
            {
                // in a preallocated file a torn last batch ends in the zeros instead of the file's end: its CRC tells
                if (batches is [.., var last] && last.CrcValid is null && !CrcMatches(handle, last))
                    return new(path, length, batches, $"the batch at position {last.Position} runs into zeros, its CRC does not match: a torn write");
                return new(path, length, batches, null, length - position);
            }
            if (problem is not null) return new(path, length, batches, problem);
            var batch = new byte[info.Size];
            RandomAccess.Read(handle, batch, position);
            bool? crc = verifyCrc ? RecordBatchReader.CrcMatches(batch) : null;
            var (records, error) = printData ? Decode(batch) : (null, null);
            batches.Add(new DumpedBatch(info.BaseOffset, info.LastOffset, info.RecordCount, position, info.Size, info.Timestamp,
                info.Compression.ToString().ToLowerInvariant(), crc, records, error));
            position += info.Size;
        }
        return new(path, length, batches, null);
    }

    private static bool CrcMatches(Microsoft.Win32.SafeHandles.SafeFileHandle handle, DumpedBatch batch)
    {
        var bytes = new byte[batch.Size];
        RandomAccess.Read(handle, bytes, batch.Position);
        return RecordBatchReader.CrcMatches(bytes);
    }

    private static (List<DumpedRecord>? Records, string? Error) Decode(byte[] batch)
    {
        var records = new List<DumpedRecord>();
        try
        {
            foreach (var r in RecordBatchReader.Records(batch))
            {
                var headers = new Dictionary<string, string>();
                foreach (var h in r.Headers) headers[Encoding.UTF8.GetString(h.Key)] = Encoding.UTF8.GetString(h.Value);
                records.Add(new DumpedRecord(r.Offset, r.Timestamp, r.HasKey ? Encoding.UTF8.GetString(r.Key) : null, headers,
                    Encoding.UTF8.GetString(r.Value)));
            }
            return (records, null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException) // CorruptLogException is an IOException
        {
            return (records, e.Message);
        }
    }
}
