using System.Net.Sockets;

namespace Golog.Client;

/// <summary>
/// Opens a TCP connection to a broker, turning every way that can fail into one
/// <see cref="BrokerUnavailableException"/> whose message says why in plain words. Shared by
/// <see cref="GologClient"/> and tools that speak the seed's plain-text style on a raw socket.
/// </summary>
public static class BrokerConnector
{
    /// <summary>A connect to a host that drops packets would otherwise hang for minutes.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(BrokerAddress broker, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        // Dual-mode socket: "localhost" may resolve to ::1 first and the broker may listen on 127.0.0.1 only;
        // connecting by host name tries every address.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Receive/send buffer sizes are left to the OS: setting SO_RCVBUF on Linux turns off its autotuning.
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout ?? DefaultConnectTimeout);
        try
        {
            await socket.ConnectAsync(broker.Host, broker.Port, timeoutCts.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new BrokerUnavailableException(broker, $"cannot connect to broker at {broker} (timed out)");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BrokerUnavailableException(broker, $"cannot connect to broker at {broker} ({Describe(e)})", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown => "host unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.ConnectionReset => "connection reset",
        SocketError.AddressNotAvailable => "address not available",
        _ => e.Message,
    };
}
