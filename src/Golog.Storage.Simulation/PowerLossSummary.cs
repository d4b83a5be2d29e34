namespace Golog.Storage.Simulation;

/// <summary>What a power-loss simulation run checked and found. <see cref="Failures"/> names the seed of each, to replay with GOLOG_SIM_SEED.</summary>
public sealed class PowerLossSummary
{
    public int Seeds { get; set; }
    public int CrashPoints { get; set; }
    /// <summary>Acknowledged records and commits checked after a power loss.</summary>
    public long AckedChecked { get; set; }
    /// <summary>Acknowledged records missing or changed, and committed offsets gone back.</summary>
    public long Lost { get; set; }
    /// <summary>Bytes that failed their CRC, or differ from what was stored, handed to a reader.</summary>
    public long CorruptServed { get; set; }
    /// <summary>Recoveries that threw, or ended in a log that refused a new append.</summary>
    public long RecoveryFailures { get; set; }
    /// <summary>Reads refused because a bit flipped on the way (the right answer to a flip).</summary>
    public long FlipsRefused { get; set; }
    public List<string> Failures { get; } = [];

    public bool Ok => Lost == 0 && CorruptServed == 0 && RecoveryFailures == 0;

    public string Line =>
        $"power-loss: seeds={Seeds} crash_points={CrashPoints} acked_checked={AckedChecked} lost={Lost} corrupt_served={CorruptServed}"
        + (RecoveryFailures > 0 ? $" recovery_failures={RecoveryFailures}" : "");

    public void Fail(long seed, string what)
    {
        if (Failures.Count < 50) Failures.Add($"seed {seed}: {what}");
    }
}
