namespace Golog.Storage.Simulation;

/// <summary>A disk fault the <see cref="SimulatedDisk"/> injects once, at the first operation of its kind from a chosen operation number on.</summary>
public enum DiskFault
{
    /// <summary>A write fails with EIO after part of it reached the page cache.</summary>
    WriteError,
    /// <summary>A write fails with ENOSPC after part of it reached the page cache.</summary>
    DiskFull,
    /// <summary>An fsync fails with EIO; what it should have made durable never will be (Linux drops the dirty pages).</summary>
    SyncError,
    /// <summary>A read returns its bytes with one bit flipped (a media or bus error the drive did not catch).</summary>
    BitFlipOnRead,
}

/// <summary>The simulated machine lost power: nothing more happens until <see cref="SimulatedDisk.PowerCycle"/>. Not an IOException, so storage code cannot absorb it.</summary>
public sealed class PowerLostException() : Exception("the simulated disk lost power");
