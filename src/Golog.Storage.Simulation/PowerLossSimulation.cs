namespace Golog.Storage.Simulation;

/// <summary>
/// Runs the power-loss simulation over many seeds, each with one of the <see cref="PowerLossWorkload.All"/> in turn.
/// <c>GOLOG_SIM_SEED=n</c> replays seed n alone (its workload follows from it).
/// </summary>
public static class PowerLossSimulation
{
    public const string SeedVariable = "GOLOG_SIM_SEED";
    public const int CrashesPerSeed = 3;

    /// <summary>The first seed: the replayed one, or a fresh one (printed by the caller so that a failure can be replayed).</summary>
    public static long FirstSeed() =>
        long.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out long seed) ? seed : Random.Shared.NextInt64(1, 1L << 40);

    public static bool Replaying => Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 };

    /// <summary>Runs <paramref name="seeds"/> seeds from <paramref name="firstSeed"/>, each with its own workload, or all with <paramref name="only"/>.</summary>
    public static PowerLossSummary Run(long firstSeed, int seeds, PowerLossWorkload? only = null)
    {
        var summary = new PowerLossSummary();
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            summary.Seeds++;
            new PowerLossRun(seed, only ?? WorkloadFor(seed), summary).Run(CrashesPerSeed);
        }
        return summary;
    }

    public static PowerLossWorkload WorkloadFor(long seed) => PowerLossWorkload.All[(int)(seed % PowerLossWorkload.All.Count)];
}
