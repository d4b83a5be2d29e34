using Akka.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Golog.Broker;

/// <summary>The broker's Serilog logger: text for people (the default) or, with golog.log-format = "json", Serilog's compact JSON for log shippers.</summary>
public static class LogFormat
{
    private const string Text = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>Errors (a refused configuration, a port in use) go to stderr, where scripts and service managers look for them.</summary>
    public static ILogger Create(bool json)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        return (json
            ? config.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Error)
            : config.WriteTo.Console(outputTemplate: Text, standardErrorFromLevel: LogEventLevel.Error)).CreateLogger();
    }

    /// <summary>Whether golog.log-format asks for JSON; anything but "text" or "json" is refused at start.</summary>
    public static bool IsJson(Config config) => config.GetString("golog.log-format") switch
    {
        "json" => true,
        "text" => false,
        var other => throw new ArgumentException($"golog.log-format must be \"text\" or \"json\", got \"{other}\""),
    };
}
