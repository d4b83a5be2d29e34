namespace Golog.Storage;

public enum FlushMode
{
    /// <summary>fsync before acknowledging, with group commit: an ack means the batch survives power loss.</summary>
    Always,
    /// <summary>Acknowledge once written to the OS; fsync every <see cref="FlushPolicy.Interval"/>. A crash of the machine may lose that window.</summary>
    Interval,
    /// <summary>Acknowledge once written to the OS; never fsync. Survives a process crash, not a machine crash.</summary>
    Os,
}

public sealed record FlushPolicy(FlushMode Mode, TimeSpan Interval)
{
    public static readonly FlushPolicy Always = new(FlushMode.Always, TimeSpan.Zero);

    public static FlushPolicy Parse(string mode, TimeSpan interval) => mode.ToLowerInvariant() switch
    {
        "always" => Always,
        "interval" => new FlushPolicy(FlushMode.Interval, interval),
        "os" => new FlushPolicy(FlushMode.Os, interval),
        _ => throw new ArgumentException($"unknown flush policy \"{mode}\" (expected always, interval or os)"),
    };

    public override string ToString() => Mode == FlushMode.Interval ? $"interval ({Interval.TotalMilliseconds} ms)" : Mode.ToString().ToLowerInvariant();
}
