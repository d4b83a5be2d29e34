using Golog.Broker;
using Golog.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

// Exit codes (Golog.Cli.ExitCodes): 0 stopped cleanly, 1 a bad command line or configuration, or a port it cannot listen on.
var root = CommandLine.CreateRoot();
root.SetAction(async parsed =>
{
    Log.Logger = new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .Enrich.FromLogContext()
        // errors (a refused configuration, a port in use) on stderr, where scripts and service managers look for them
        .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Error)
        .CreateLogger();
    try
    {
        var host = BrokerHost.Build(BrokerHost.LoadConfig(CommandLine.Overrides(parsed, Environment.GetEnvironmentVariable)));
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<BrokerEndpoint>().WhenReady;
        }
        catch (IOException e)
        {
            Log.Fatal("{Error}", e.Message);
            await host.StopAsync();
            return ExitCodes.UsageOrRefused;
        }
        await host.WaitForShutdownAsync();
        return ExitCodes.Ok;
    }
    catch (ArgumentException e)
    {
        Log.Fatal("Invalid configuration: {Error}", e.Message);
        Console.Error.WriteLine("Run golog-broker --help to see every option.");
        return ExitCodes.UsageOrRefused;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
});
return await ConsoleCommand.InvokeAsync(root, args);
