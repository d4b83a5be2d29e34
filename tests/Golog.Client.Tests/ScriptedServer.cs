using System.Net;
using System.Net.Sockets;

namespace Golog.Client.Tests;

/// <summary>
/// A real TCP listener on a free loopback port that plays the broker from a test's script: the test reads each
/// request line the client sent and decides which canned reply lines go back, and when.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    private ScriptedServer() => _listener.Start();

    public static ScriptedServer Start() => new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The next client connection; throws <see cref="TimeoutException"/> if none comes within the bound.</summary>
    public async Task<ScriptedConnection> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        try { return new ScriptedConnection(await _listener.AcceptTcpClientAsync(timeout.Token), Bound); }
        catch (OperationCanceledException) { throw new TimeoutException("no client connected"); }
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
