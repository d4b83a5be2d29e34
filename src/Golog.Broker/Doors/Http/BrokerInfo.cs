using System.Net;
using System.Reflection;
using Akka.Configuration;
using Golog.Core;

namespace Golog.Broker.Doors.Http;

/// <summary>
/// This broker as the admin API describes it: id, version, start time, where each door listens, and its effective
/// golog.* configuration with anything that looks secret masked (no setting is secret today; one added later, such
/// as a SASL password, must not leak through the console).
/// </summary>
public sealed class BrokerInfo(Config config, IReadOnlyDictionary<string, Task<IPEndPoint>> doors)
{
    private static readonly string[] SecretWords = ["password", "secret", "token", "credential", "private-key"];
    internal static readonly string Version = typeof(BrokerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public object Describe() => new
    {
        id = 0,
        version = Version,
        startedAt = _started,
        uptimeSeconds = (long)(DateTimeOffset.UtcNow - _started).TotalSeconds,
        doors = doors.Where(d => d.Value.IsCompletedSuccessfully)
            .ToDictionary(d => d.Key, d => new { host = d.Value.Result.Address.ToString(), port = d.Value.Result.Port }),
    };

    public IReadOnlyDictionary<string, string> Settings() => KnownSettings.Values(config)
        .ToDictionary(kv => kv.Key, kv => SecretWords.Any(w => kv.Key.Contains(w, StringComparison.OrdinalIgnoreCase)) ? "(hidden)" : kv.Value);
}
