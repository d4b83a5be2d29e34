using System.Text;
using Golog.Cli;
using Golog.Client;
using Golog.Consumer;

// Exit codes (Golog.Cli.ExitCodes): 0 stopped normally (Ctrl-C, SIGTERM, --max-messages), 1 bad usage or a request
// the broker refused, 2 broker not reachable or the final commit failed. Never a stack trace.
const string StartHint = "is it running? Start it with: dotnet run --project src/Golog.Broker";

return await ConsoleCommand.InvokeAsync(ConsumerOptions.CreateRoot(RunAsync), args);

static async Task<int> RunAsync(ConsumerOptions options)
{
    // Buffered and flushed after each batch: a console write per record is slow when catching up on a long log.
    await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
    var stderr = Console.Error;
    IConsumeLoop? loop = null;
    try
    {
        // Prompts come before the Ctrl-C handler, so Ctrl-C at a prompt simply quits.
        options = InteractivePrompt.Complete(options, Console.In, stdout);
        using var shutdown = new ShutdownSignal();
        loop = options.GroupMode
            ? new GroupConsumeLoop(options, stdout, stderr, shutdown.Token)
            : new ConsumeLoop(options, stdout, stderr, shutdown.Token);
        try
        {
            return await loop.RunAsync();
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok; // stopped during startup, before anything was consumed
        }
    }
    catch (BrokerUnavailableException e)
    {
        await stdout.FlushAsync();
        stderr.WriteLine(loop is { EverConnected: true } ? $"error: {e.Message}" : $"error: {e.Message} — {StartHint}");
        return ExitCodes.BrokerUnavailable;
    }
    catch (GologException e)
    {
        await stdout.FlushAsync();
        stderr.WriteLine($"error: {e.Message} ({e.Code})");
        return ExitCodes.UsageOrRefused;
    }
    catch (Exception e)
    {
        await stdout.FlushAsync();
        stderr.WriteLine($"error: {e.Message}");
        return ExitCodes.UsageOrRefused;
    }
    finally
    {
        if (loop is not null) await loop.DisposeAsync();
    }
}
