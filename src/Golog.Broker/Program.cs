using Golog.Core;
using Golog.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

Log.Logger = LogFormat.Create(json: false);

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

try
{
    var config = BrokerHost.LoadConfig(args, Environment.GetEnvironmentVariable);
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
        return 1;
    }
    await host.WaitForShutdownAsync();
    return 0;
}
catch (ArgumentException e)
{
    Log.Fatal("Invalid configuration: {Error}", e.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
finally
{
    await Log.CloseAndFlushAsync();
}
