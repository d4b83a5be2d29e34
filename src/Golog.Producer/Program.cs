using System.Text;
using Golog.Cli;
using Golog.Client;
using Golog.Producer;

// Exit codes (Golog.Cli.ExitCodes): 0 done, 1 bad usage or some messages refused, 2 broker not reachable (at start,
// or gone for longer than the producer waits for it). Never a stack trace.
const string StartHint = "is it running? Start it with: dotnet run --project src/Golog.Broker";

return await ConsoleCommand.InvokeAsync(ProducerOptions.CreateRoot(RunAsync), args);

static async Task<int> RunAsync(ProducerOptions options)
{
    var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    using var stdin = new StreamReader(Console.OpenStandardInput(), utf8);
    await using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8, 64 * 1024) { AutoFlush = false };
    var stderr = Console.Error;
    bool connected = false;

    try
    {
        if (options.Topic is null)
        {
            await using var seedLink = new BrokerLink<SeedConnection>(options.Broker, SeedConnection.ConnectAsync, stdout, stderr);
            await seedLink.ConnectAsync();
            connected = true;
            await new SeedSession(seedLink, stdout).RunAsync(stdin);
            return ExitCodes.Ok;
        }

        await using var link = new BrokerLink<GologClient>(options.Broker, (broker, ct) => GologClient.ConnectAsync(broker, ct), stdout, stderr);
        await link.ConnectAsync();
        connected = true;
        int refused = await new TopicProducer(link, options, stdout).RunAsync(stdin);
        return refused == 0 ? ExitCodes.Ok : ExitCodes.UsageOrRefused;
    }
    catch (BrokerUnavailableException e)
    {
        await stdout.FlushAsync();
        stderr.WriteLine(connected ? $"error: {e.Message}" : $"error: {e.Message} — {StartHint}");
        return ExitCodes.BrokerUnavailable;
    }
    catch (Exception e)
    {
        await stdout.FlushAsync();
        stderr.WriteLine($"error: {e.Message}");
        return ExitCodes.UsageOrRefused;
    }
}
