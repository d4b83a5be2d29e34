using System.CommandLine;
using Golog.Cli;

namespace Golog.Client;

/// <summary>The --broker option every client console has: where the broker listens.</summary>
public static class BrokerOption
{
    public static Option<BrokerAddress> Create()
    {
        var option = ConsoleOption.Create("--broker", "broker address (host:port, [v6]:port)", "HOST:PORT", BrokerAddress.Parse);
        option.DefaultValueFactory = _ => BrokerAddress.Default;
        return option;
    }
}
