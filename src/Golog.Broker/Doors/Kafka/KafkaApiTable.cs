namespace Golog.Broker.Doors.Kafka;

/// <summary>The APIs the Kafka door serves, by key: what it dispatches to and exactly what ApiVersions advertises.</summary>
public sealed class KafkaApiTable
{
    private readonly IKafkaApi?[] _byKey;

    public KafkaApiTable(IEnumerable<IKafkaApi> apis)
    {
        All = apis.OrderBy(a => a.Key).ToList();
        _byKey = new IKafkaApi?[All[^1].Key + 1];
        foreach (var api in All)
        {
            if (_byKey[api.Key] is { } twice) throw new ArgumentException($"API key {api.Key} registered twice ({twice.Name}, {api.Name})");
            _byKey[api.Key] = api;
        }
    }

    public IReadOnlyList<IKafkaApi> All { get; }

    public IKafkaApi? Find(short key) => key >= 0 && key < _byKey.Length ? _byKey[key] : null;
}
