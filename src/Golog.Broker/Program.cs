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
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}")
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
        await host.Services.GetRequiredService<BrokerEndpoint>().WhenBound;
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
