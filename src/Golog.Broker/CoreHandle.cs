using Golog.Core;

namespace Golog.Broker;

/// <summary>The running broker's core, for whatever in the process sends it commands besides the TCP doors (tests today).</summary>
public sealed class CoreHandle
{
    internal TaskCompletionSource<BrokerCore> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task<BrokerCore> WhenStarted => Started.Task;
}
