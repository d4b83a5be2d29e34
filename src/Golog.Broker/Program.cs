using Golog.Core;
using Golog.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .Enrich.FromLogContext()
    // errors (a refused configuration, a port in use) on stderr, where scripts and service managers look for them
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Error)
    .CreateLogger();

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

try
{
    var host = BrokerHost.Build(BrokerHost.LoadConfig(args, Environment.GetEnvironmentVariable));
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
