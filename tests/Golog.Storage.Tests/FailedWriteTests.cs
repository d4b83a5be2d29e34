using static Golog.Storage.Tests.LogTestExtensions;
using Golog.Storage.Simulation;

namespace Golog.Storage.Tests;

/// <summary>
/// A write that fails part way (EIO, a full disk) leaves some of its bytes in the file. The partition then cuts its
/// log back to what was acknowledged; that cut must be durable at once, or a power loss could bring those bytes back
/// behind writes made since.
/// </summary>
public class FailedWriteTests
{
    private const string Root = "/sim";
    private static readonly string Dir = StorageLayout.PartitionDirectory(Root, "t", 0);
    private static readonly string Segment0 = Path.Combine(Dir, StorageLayout.SegmentFileName(0) + StorageLayout.LogSuffix);

    [Fact]
    public void The_cut_after_a_write_that_failed_part_way_survives_a_power_loss_right_after_it()
    {
        int cameBack = 0;
        for (int seed = 0; seed < 40; seed++) // the part written, and what a power loss keeps, are chosen at random
        {
            var disk = new SimulatedDisk(new Random(seed));
            disk.CreateDirectory(Root);
            var log = PartitionLog.Open(Dir, new LogConfig(), cleanShutdown: false, Serilog.Core.Logger.None, disk);
            log.Append(Records("acknowledged"), 1_700_000_000_000);
            var acked = log.WritePending();
            log.TakeUnsynced().Run();
            log.MarkFlushed(acked);
            log.AdvanceHighWatermark(acked.NextOffset);
            long ackedEnd = acked.Position;

            disk.Inject(DiskFault.WriteError, disk.Operations);
            log.Append(Records(new string('x', 3000)), 1_700_000_000_000);
            Assert.Throws<IOException>(() => log.WritePending());
            log = log.ReopenAfterFailure();
            log.Dispose();
            disk.PowerCycle();

            using var file = disk.Open(Segment0, FileMode.Open);
            var tail = new byte[Math.Max(0, file.Length - ackedEnd)];
            file.Read(tail, ackedEnd);
            if (tail.AsSpan().ContainsAnyExcept((byte)0)) cameBack++;
        }
        Assert.Equal(0, cameBack);
    }
}
