using Golog.Broker;
using Golog.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

// Exit codes (Golog.Cli.ExitCodes): 0 stopped cleanly, 1 a bad command line or configuration, or a port it cannot listen on.
var root = CommandLine.CreateRoot();
root.Add(Golog.Broker.SelfTest.SelfTestCommand.Create());
root.SetAction(async parsed =>
{
    Log.Logger = LogFormat.Create(json: false);
    try
    {
        var config = BrokerHost.LoadConfig(CommandLine.Overrides(parsed, Environment.GetEnvironmentVariable));
        if (LogFormat.IsJson(config)) Log.Logger = LogFormat.Create(json: true);
        var host = BrokerHost.Build(config);
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

/// <summary>Stays internal: ASP.NET Core's generator would make a top-level Program public, which clashes with the Program of any project referencing the broker.</summary>
internal partial class Program;
