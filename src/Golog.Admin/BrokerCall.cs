using System.CommandLine;
using Golog.Cli;
using Golog.Client;

namespace Golog.Admin;

/// <summary>
/// Runs one admin action against the broker and turns its outcome into an exit code: a refusal is the broker's
/// message and exit 1, a broker that cannot be reached (or does not answer in time) exit 2.
/// </summary>
internal static class BrokerCall
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static readonly Option<string> BrokerOption = new("--broker", "-b")
    {
        Description = "broker address HOST:PORT",
        DefaultValueFactory = _ => "localhost:9092",
        Recursive = true,
        HelpName = "HOST:PORT",
    };

    public static Task<int> RunAsync(ParseResult parsed, Func<GologClient, CancellationToken, Task<int>> action) =>
        RunAsync(parsed, GologClient.ConnectAsync, action);

    /// <summary>
    /// The same through a <see cref="ClusterClient"/> from the node --broker names: for what must reach a particular
    /// node of a cluster (a group's coordinator) or all of them; on one broker it is that broker.
    /// </summary>
    public static Task<int> RunOnClusterAsync(ParseResult parsed, Func<ClusterClient, CancellationToken, Task<int>> action) =>
        RunAsync(parsed, (broker, ct) => ClusterClient.ConnectAsync([broker], cancellationToken: ct), action);

    private static async Task<int> RunAsync<TClient>(ParseResult parsed, Func<BrokerAddress, CancellationToken, Task<TClient>> connect,
        Func<TClient, CancellationToken, Task<int>> action) where TClient : IAsyncDisposable
    {
        BrokerAddress broker;
        try { broker = BrokerAddress.Parse(parsed.GetValue(BrokerOption)!); }
        catch (FormatException e) { return Refused(e.Message); }
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await using var client = await connect(broker, timeout.Token);
            return await action(client, timeout.Token);
        }
        catch (BrokerUnavailableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BrokerUnavailable;
        }
        catch (GologException e)
        {
            Console.Error.WriteLine($"error: {e.Message} ({e.Code})");
            return ExitCodes.UsageOrRefused;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"error: the broker at {broker} did not answer within {Timeout.TotalSeconds:0} s");
            return ExitCodes.BrokerUnavailable;
        }
    }

    /// <summary>A request the tool itself refuses (a bad option combination): said on stderr, exit 1.</summary>
    public static int Refused(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.UsageOrRefused;
    }
}
