namespace Golog.Client;

/// <summary>
/// The broker could not be reached, or the connection to it broke. Derives from <see cref="IOException"/> so callers
/// that already treat I/O failures as "retry later" keep working. The message names the broker and what happened.
/// </summary>
public sealed class BrokerUnavailableException : IOException
{
    public BrokerUnavailableException(BrokerAddress broker, string message, Exception? inner = null) : base(message, inner)
    {
        Broker = broker;
    }

    public BrokerAddress Broker { get; }
}
