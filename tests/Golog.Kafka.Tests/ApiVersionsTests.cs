namespace Golog.Kafka.Tests;

/// <summary>The handshake every Kafka client starts with: what it advertises, and how an unknown version is answered.</summary>
public sealed class ApiVersionsTests : IAsyncLifetime
{
    /// <summary>Key, min, max: exactly what the door serves (docs/protocol.md, "Kafka door"). An API added to the door is added here.</summary>
    private static readonly (short Key, short Min, short Max)[] Advertised =
    [
        (0, 0, 3),   // Produce (v3 served; 0-2 advertised for librdkafka 2.0.2's probes)
        (1, 4, 4),   // Fetch
        (2, 1, 1),   // ListOffsets
        (3, 4, 4),   // Metadata
        (8, 2, 2),   // OffsetCommit
        (9, 1, 1),   // OffsetFetch
        (10, 0, 0),  // FindCoordinator
        (11, 1, 1),  // JoinGroup
        (12, 0, 0),  // Heartbeat
        (13, 0, 0),  // LeaveGroup
        (14, 0, 0),  // SyncGroup
        (15, 0, 0),  // DescribeGroups
        (16, 0, 0),  // ListGroups
        (18, 0, 3),  // ApiVersions
        (19, 2, 2),  // CreateTopics
        (20, 1, 1),  // DeleteTopics
        (22, 0, 1),  // InitProducerId
    ];

    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Version_3_as_librdkafka_sends_it_lists_exactly_the_served_apis_in_the_flexible_layout()
    {
        await using var client = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        // the body librdkafka 2.0.2 sends: compact "librdkafka", compact "2.0.2", no tags
        var body = new RequestBody().Int8(11).Raw("librdkafka"u8).Int8(6).Raw("2.0.2"u8).Int8(0).ToArray();
        await client.SendAsync(KafkaWireClient.Request(18, 3, 7, body, flexibleHeader: true));

        var r = new ResponseReader(await client.ReceiveAsync());
        Assert.Equal(7, r.Int32()); // response header v0: no tag byte, even for v3
        Assert.Equal(0, r.Int16());
        int count = (int)r.UVarint() - 1;
        var listed = new List<(short, short, short)>();
        for (int i = 0; i < count; i++)
        {
            listed.Add((r.Int16(), r.Int16(), r.Int16()));
            Assert.Equal(0u, r.UVarint());
        }
        Assert.Equal(0, r.Int32()); // throttle
        Assert.Equal(0u, r.UVarint());
        Assert.Equal(0, r.Remaining);
        Assert.Equal(Advertised, listed.Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Older_versions_as_KafkaJS_sends_them_get_the_same_list_in_their_layout(short version)
    {
        await using var client = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await client.SendAsync(KafkaWireClient.Request(18, version, 1, []));

        var r = new ResponseReader(await client.ReceiveAsync());
        Assert.Equal(1, r.Int32());
        Assert.Equal(0, r.Int16());
        var listed = ReadV0List(r);
        if (version > 0) Assert.Equal(0, r.Int32()); // throttle_time_ms from v1 on
        Assert.Equal(0, r.Remaining);
        Assert.Equal(Advertised, listed.Order());
    }

    [Fact]
    public async Task A_version_newer_than_3_gets_unsupported_version_with_the_list_so_the_client_retries_lower()
    {
        await using var client = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await client.SendAsync(KafkaWireClient.Request(18, 9, 3, [0, 0, 0], flexibleHeader: true));

        var r = new ResponseReader(await client.ReceiveAsync());
        Assert.Equal(3, r.Int32());
        Assert.Equal(35, r.Int16()); // UNSUPPORTED_VERSION
        Assert.Contains(((short)18, (short)0, (short)3), ReadV0List(r));

        // the connection stays usable: the retry is answered
        await client.SendAsync(KafkaWireClient.Request(18, 2, 4, []));
        Assert.Equal(4, new ResponseReader(await client.ReceiveAsync()).Int32());
    }

    private static List<(short, short, short)> ReadV0List(ResponseReader r)
    {
        int count = r.Int32();
        var listed = new List<(short, short, short)>();
        for (int i = 0; i < count; i++) listed.Add((r.Int16(), r.Int16(), r.Int16()));
        return listed;
    }
}
