using System.Buffers.Binary;
using System.Text;
using Serilog.Core;

namespace Golog.Storage.Tests;

/// <summary>A fresh directory under the system temp dir, removed with everything in it when the test ends.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest()
    {
        Root = Path.Combine(Path.GetTempPath(), "golog-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    protected string Root { get; }

    /// <summary>A partition directory inside <see cref="Root"/>, laid out as the broker lays it out.</summary>
    protected string PartitionDir => StorageLayout.PartitionDirectory(Root, "orders", 0);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { } // a handle a failing test left open; the OS temp cleaner gets it
    }
}

/// <summary>One decoded record as a consumer would see it.</summary>
public sealed record Rec(long Offset, long Timestamp, string? Key, string Value, (string Key, string Value)[] Headers);

/// <summary>
/// What the partition actor does around a <see cref="PartitionLog"/>: append, write, fsync, then mark it flushed and
/// move the high watermark, so reads see the data. Plus helpers to read records back and to walk raw segment files.
/// </summary>
public static class LogTestExtensions
{
    public const long Timestamp = 1_700_000_000_000;

    public static PartitionLog OpenLog(string dir, LogConfig config, bool cleanShutdown = false) =>
        PartitionLog.Open(dir, config, cleanShutdown, Logger.None);

    public static RecordsToAppend Records(params string[] values) =>
        new(values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray());

    /// <summary>Value the tests store at <paramref name="offset"/>, so any read can be checked against its offset.</summary>
    public static string ValueFor(long offset) => $"value-{offset}";

    /// <summary>Appends one batch and makes it durable and readable, as an acknowledged produce would be.</summary>
    public static (long BaseOffset, long LastOffset) AppendDurably(this PartitionLog log, params string[] values)
    {
        var result = log.Append(Records(values), Timestamp);
        log.Flush();
        return result;
    }

    /// <summary>Appends single-record batches, each holding <see cref="ValueFor"/> its offset, until the log ends at <paramref name="endOffset"/>.</summary>
    public static void AppendUpTo(this PartitionLog log, long endOffset)
    {
        while (log.LogEndOffset < endOffset) log.AppendDurably(ValueFor(log.LogEndOffset));
    }

    /// <summary>Appends a batch of <paramref name="count"/> records holding <see cref="ValueFor"/> their offsets.</summary>
    public static void AppendBatchDurably(this PartitionLog log, int count)
    {
        long start = log.LogEndOffset;
        log.AppendDurably(Enumerable.Range(0, count).Select(i => ValueFor(start + i)).ToArray());
    }

    /// <summary>What the partition actor does on one node: write, run the sync job, mark flushed, acknowledge all of it.</summary>
    public static void Flush(this PartitionLog log)
    {
        var position = log.WritePending();
        log.TakeUnsynced().Run();
        log.Acknowledge(position);
    }

    public static void Acknowledge(this PartitionLog log, LogPosition position)
    {
        log.MarkFlushed(position);
        log.AdvanceHighWatermark(position.NextOffset);
    }

    /// <summary>Every whole batch a read returned, CRC-checked, decoded. A trailing batch cut by the byte limit is skipped.</summary>
    public static List<Rec> Decode(ReadOnlySpan<byte> bytes)
    {
        var records = new List<Rec>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            var status = RecordBatchReader.Validate(bytes[pos..], int.MaxValue, out var info);
            if (status == BatchStatus.Incomplete) break;
            Assert.Equal(BatchStatus.Ok, status); // a read must never hand out a damaged batch
            records.AddRange(RecordsOf(bytes.Slice(pos, info.Size)));
            pos += info.Size;
        }
        return records;
    }

    /// <summary>The records of one whole batch (decompressed when compressed, at most <paramref name="maxDecompressedBytes"/>).</summary>
    public static List<Rec> RecordsOf(ReadOnlySpan<byte> batch, int maxDecompressedBytes = RecordBatchReader.DefaultMaxDecompressedBytes)
    {
        var records = new List<Rec>();
        foreach (var r in RecordBatchReader.Records(batch, maxDecompressedBytes))
        {
            var headers = new List<(string, string)>();
            foreach (var h in r.Headers) headers.Add((Encoding.UTF8.GetString(h.Key), Encoding.UTF8.GetString(h.Value)));
            records.Add(new Rec(r.Offset, r.Timestamp, r.HasKey ? Encoding.UTF8.GetString(r.Key) : null,
                Encoding.UTF8.GetString(r.Value), headers.ToArray()));
        }
        return records;
    }

    /// <summary>The record at <paramref name="offset"/> as a consumer fetching from there sees it; null when the read is empty.</summary>
    public static Rec? ReadRecord(this PartitionLog log, long offset, int maxBytes = 1024 * 1024)
    {
        var result = log.Read(offset, maxBytes);
        if (result.Length == 0) return null;
        var records = Decode(result.Bytes);
        var found = records.SingleOrDefault(r => r.Offset == offset);
        Assert.True(found is not null, $"read at {offset} returned offsets {string.Join(",", records.Select(r => r.Offset))}");
        return found;
    }

    /// <summary>Asserts that every offset in [from, to) reads back as <see cref="ValueFor"/> that offset.</summary>
    public static void AssertReadsEveryOffset(this PartitionLog log, long from, long to)
    {
        for (long offset = from; offset < to; offset++)
        {
            var rec = log.ReadRecord(offset);
            Assert.True(rec is not null, $"read at offset {offset} was empty");
            Assert.Equal(ValueFor(offset), rec.Value);
        }
    }

    /// <summary>The batches in a whole segment file as laid out on disk.</summary>
    public static List<(long Position, long BaseOffset, long NextOffset, int Size)> BatchesInFile(string logFile)
    {
        var bytes = File.ReadAllBytes(logFile);
        var batches = new List<(long, long, long, int)>();
        int pos = 0;
        while (RecordBatchReader.TryReadHeader(bytes.AsSpan(pos), int.MaxValue, out var info) == BatchStatus.Ok)
        {
            batches.Add((pos, info.BaseOffset, info.NextOffset, info.Size));
            pos += info.Size;
        }
        // the helper is only used on whole files: whole batches, then at most the zeros preallocated after them
        Assert.False(bytes.AsSpan(pos).ContainsAnyExcept((byte)0), $"{logFile} has bytes after its last whole batch at {pos}");
        return batches;
    }

    /// <summary>Where the whole batches of <paramref name="logFile"/> end: its length but for the zeros preallocated after them.</summary>
    public static long BatchesEnd(string logFile) => BatchesInFile(logFile) is [.., var last] ? last.Position + last.Size : 0;

    public static string LogFile(string dir, long baseOffset) =>
        Path.Combine(dir, StorageLayout.SegmentFileName(baseOffset) + StorageLayout.LogSuffix);

    public static string IndexFile(string dir, long baseOffset) =>
        Path.Combine(dir, StorageLayout.SegmentFileName(baseOffset) + StorageLayout.IndexSuffix);

    public static void FlipByte(string file, long position)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        f.Position = position;
        int b = f.ReadByte();
        f.Position = position;
        f.WriteByte((byte)(b ^ 0xFF));
    }

    public static void WriteInt32At(string file, long position, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        f.Position = position;
        f.Write(bytes);
    }

    public static void Truncate(string file, long length)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        f.SetLength(length);
    }
}
