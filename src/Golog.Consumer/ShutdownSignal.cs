using System.Runtime.InteropServices;

namespace Golog.Consumer;

/// <summary>
/// Turns the first Ctrl-C or SIGTERM into a cancellation so the consumer can finish its batch and commit. A second
/// Ctrl-C is not intercepted: it ends the process at once, for when the broker is hung.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested) return; // second signal: default handling terminates the process
        context.Cancel = true;
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
