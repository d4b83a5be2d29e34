namespace Golog.Consumer;

/// <summary>A way of consuming: one partition by hand (<see cref="ConsumeLoop"/>) or a group's share (<see cref="GroupConsumeLoop"/>).</summary>
internal interface IConsumeLoop : IAsyncDisposable
{
    /// <summary>True once the first connection succeeded (a failure before that is "is the broker running?").</summary>
    bool EverConnected { get; }

    /// <summary>Runs until Ctrl-C/SIGTERM or --max-messages; returns the exit code.</summary>
    Task<int> RunAsync();
}
