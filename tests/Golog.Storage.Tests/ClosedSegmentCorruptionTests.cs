using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>
/// Damage inside a closed (non-active) segment, found only when a read gets there: data before it is served,
/// data from it on fails with <see cref="CorruptLogException"/>, never as garbage bytes.
/// </summary>
public class ClosedSegmentCorruptionTests : TempDirectoryTest
{
    private static readonly LogConfig TenPerSegment = new() { SegmentMessages = 10 };

    public enum Damage { ValueByte, CrcByte, MagicByte, LengthTooLarge, LengthShorter }

    /// <summary>Offsets 0..29 in segments 0, 10, 20 (active); returns the closed segment 10's batch for offset 15.</summary>
    private (long Position, long BaseOffset, long NextOffset, int Size) WriteThreeSegments()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendUpTo(30);
            log.Close();
        }
        return BatchesInFile(LogFile(PartitionDir, 10))[5];
    }

    private void Apply(Damage damage, (long Position, long BaseOffset, long NextOffset, int Size) batch)
    {
        string file = LogFile(PartitionDir, 10);
        switch (damage)
        {
            case Damage.ValueByte: FlipByte(file, batch.Position + batch.Size - 3); break;
            case Damage.CrcByte: FlipByte(file, batch.Position + RecordBatchLayout.Crc); break;
            case Damage.MagicByte: FlipByte(file, batch.Position + RecordBatchLayout.Magic); break;
            case Damage.LengthTooLarge: WriteInt32At(file, batch.Position + RecordBatchLayout.BatchLength, 1_000_000_000); break;
            case Damage.LengthShorter: WriteInt32At(file, batch.Position + RecordBatchLayout.BatchLength, batch.Size - RecordBatchLayout.LogOverhead - 4); break;
        }
    }

    [Theory]
    [InlineData(Damage.ValueByte, true)]
    [InlineData(Damage.ValueByte, false)]
    [InlineData(Damage.CrcByte, true)]
    [InlineData(Damage.CrcByte, false)]
    [InlineData(Damage.MagicByte, true)]
    [InlineData(Damage.MagicByte, false)]
    [InlineData(Damage.LengthTooLarge, true)]
    [InlineData(Damage.LengthTooLarge, false)]
    [InlineData(Damage.LengthShorter, true)]
    [InlineData(Damage.LengthShorter, false)]
    public void Reads_before_the_damage_work_and_reads_from_it_on_fail_instead_of_returning_garbage(Damage damage, bool keepIndexFile)
    {
        var batch = WriteThreeSegments();
        Apply(damage, batch);
        if (!keepIndexFile) File.Delete(IndexFile(PartitionDir, 10));

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(30, log.LogEndOffset); // a closed segment is not scanned at startup
        log.AssertReadsEveryOffset(0, 15); // Decode also checks that no damaged batch rides along
        for (long offset = 15; offset < 20; offset++)
        {
            long o = offset;
            Assert.Throws<CorruptLogException>(() => log.Read(o, 1024 * 1024));
        }
        log.AssertReadsEveryOffset(20, 30); // later segments are unaffected
    }

    [Fact]
    public void A_read_that_reaches_the_damage_stops_before_it_rather_than_carrying_the_damaged_batch()
    {
        var batch = WriteThreeSegments();
        Apply(Damage.ValueByte, batch);

        using var log = OpenLog(PartitionDir, TenPerSegment);

        var records = Decode(log.Read(12, 1024 * 1024).Bytes);
        Assert.Equal([12L, 13, 14], records.Select(r => r.Offset));
    }

    [Fact]
    public void A_read_far_after_the_damage_in_the_same_segment_also_fails_once_the_damage_is_known()
    {
        var batch = WriteThreeSegments();
        Apply(Damage.ValueByte, batch);

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Throws<CorruptLogException>(() => log.Read(15, 1024 * 1024));
        Assert.Throws<CorruptLogException>(() => log.Read(19, 1024 * 1024));
    }

    [Fact]
    public void A_missing_index_file_of_a_closed_segment_is_rebuilt_and_reads_still_work()
    {
        var config = new LogConfig { SegmentMessages = 10, IndexIntervalBytes = 64 };
        using (var log = OpenLog(PartitionDir, config))
        {
            log.AppendUpTo(30);
            log.Close();
        }
        var original = File.ReadAllBytes(IndexFile(PartitionDir, 10));
        File.Delete(IndexFile(PartitionDir, 10));

        using var reopened = OpenLog(PartitionDir, config);
        reopened.AssertReadsEveryOffset(0, 30);

        Assert.Equal(original, File.ReadAllBytes(IndexFile(PartitionDir, 10)));
    }

    public static TheoryData<string> GarbageIndexes => ["odd-length", "random", "positions-past-end", "unordered", "pointing-inside-batches", "offsets-shifted-down", "empty"];

    [Theory]
    [MemberData(nameof(GarbageIndexes))]
    public void A_garbage_index_file_of_a_closed_segment_does_not_break_reads(string kind)
    {
        var config = new LogConfig { SegmentMessages = 10, IndexIntervalBytes = 64 };
        using (var log = OpenLog(PartitionDir, config))
        {
            log.AppendUpTo(30);
            log.Close();
        }
        string index = IndexFile(PartitionDir, 10);
        var random = new Random(7);
        byte[] garbage = kind switch
        {
            "odd-length" => [1, 2, 3, 4, 5],
            "random" => RandomBytes(random, 64),
            "positions-past-end" => Entries((0, 0), (5, 1_000_000)),
            "unordered" => Entries((0, 0), (6, 300), (3, 100)),
            "pointing-inside-batches" => Entries((0, 0), (3, 17), (6, 101)),
            // batch starts, but each labelled with an offset two lower: as an index left from other data would be
            "offsets-shifted-down" => ShiftedIndex(LogFile(PartitionDir, 10)),
            _ => [],
        };
        File.WriteAllBytes(index, garbage);

        using var reopened = OpenLog(PartitionDir, config);
        reopened.AssertReadsEveryOffset(0, 30);
    }

    /// <summary>Entries at real batch starts (every fourth batch), each labelled with an offset two lower.</summary>
    private static byte[] ShiftedIndex(string logFile)
    {
        var batches = BatchesInFile(logFile);
        long baseOffset = batches[0].BaseOffset;
        return Entries([(0, 0), .. new[] { 4, 8 }.Select(i => ((int)(batches[i].BaseOffset - baseOffset) - 2, (int)batches[i].Position))]);
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Entries(params (int Rel, int Pos)[] entries)
    {
        var bytes = new byte[entries.Length * 8];
        for (int i = 0; i < entries.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8), entries[i].Rel);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8 + 4), entries[i].Pos);
        }
        return bytes;
    }
}
