using System.Text;
using Golog.Client;
using Golog.Producer;

// Exit codes: 0 done, 1 bad usage or some messages refused, 2 broker not reachable. Never a stack trace.
const string StartHint = "is it running? Start it with: dotnet run --project src/Golog.Broker";

var commandLine = CommandLineArgs.Parse(args, ProducerOptions.Parse);
if (commandLine.Error is { } usageError) { Console.Error.WriteLine($"error: {usageError}"); Console.Error.WriteLine(ProducerOptions.Usage); return 1; }
if (commandLine.Options is not { } options) { Console.WriteLine(ProducerOptions.Usage); return 0; }

var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
using var stdin = new StreamReader(Console.OpenStandardInput(), utf8);
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8, 64 * 1024) { AutoFlush = false };
var stderr = Console.Error;
bool connected = false;

try
{
    if (options.Topic is null)
    {
        await using var session = await SeedSession.ConnectAsync(options.Broker, stdout);
        connected = true;
        await session.RunAsync(stdin);
        return 0;
    }

    await using var client = await GologClient.ConnectAsync(options.Broker);
    connected = true;
    int refused = await new TopicProducer(client, options, stdout, stderr).RunAsync(stdin);
    return refused == 0 ? 0 : 1;
}
catch (BrokerUnavailableException e)
{
    await stdout.FlushAsync();
    stderr.WriteLine(connected ? $"error: {e.Message}" : $"error: {e.Message} — {StartHint}");
    return 2;
}
catch (Exception e)
{
    await stdout.FlushAsync();
    stderr.WriteLine($"error: {e.Message}");
    return 1;
}
