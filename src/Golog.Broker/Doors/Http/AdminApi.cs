using System.Net;
using System.Text.Json;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;
using Golog.Broker.Doors.JsonLines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Golog.Broker.Doors.Http;

/// <summary>
/// The JSON admin API under /api that the web console reads: topics, partitions, messages, groups, brokers, the
/// cluster (nodes, leaders, ISRs) and the effective configuration, plus topic creation. Reads of partition bounds come from the published
/// <see cref="PartitionStatus"/> (no mailbox round trip, so 1,000 topics list in one pass); everything else is a core
/// command through <see cref="CoreAsker"/>, as any door sends it.
/// </summary>
public sealed class AdminApi(CoreAsker core, RoutingTable routes, GroupBoard groups, ActivityHistory history, BrokerInfo broker)
{
    private const int DefaultMessages = 50;
    private const int MaxMessages = 500;
    private const int MaxMessageBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/overview", Overview);
        api.MapGet("/topics", Topics);
        api.MapPost("/topics", CreateTopic);
        api.MapGet("/topics/{topic}", Topic);
        api.MapGet("/topics/{topic}/partitions/{partition:int}/messages", Messages);
        api.MapGet("/groups", Groups);
        api.MapGet("/groups/{group}", Group);
        api.MapGet("/brokers", () => Ok(new[] { broker.Describe() }));
        api.MapGet("/cluster", Cluster);
        api.MapGet("/config", () => Ok(broker.Settings()));
        api.MapFallback((HttpContext http) => Problem(HttpStatusCode.NotFound, "not_found", $"no such API path: {http.Request.Path}"));
    }

    private IResult Overview()
    {
        var topics = routes.Topics();
        var partitions = topics.SelectMany(t => t.Partitions).ToList();
        var board = groups.Snapshot();
        return Ok(new
        {
            broker = broker.Describe(),
            topics = topics.Count,
            partitions = partitions.Count,
            storageBytes = partitions.Sum(p => p.Status.SizeBytes),
            messages = partitions.Sum(p => p.Status.HighWatermark - p.Status.LogStartOffset),
            groups = board.Count,
            totalLag = board.Sum(g => TotalLag(g.Value)),
            throughput = history.Throughput(),
        });
    }

    private IResult Topics() => Ok(routes.Topics().Select(t => new
    {
        name = t.Name,
        partitions = t.Partitions.Count,
        messages = t.Partitions.Sum(p => p.Status.HighWatermark - p.Status.LogStartOffset),
        sizeBytes = t.Partitions.Sum(p => p.Status.SizeBytes),
        messagesPerSecond = Enumerable.Range(0, t.Partitions.Count).Sum(p => history.RateOf(new TopicPartition(t.Name, p))),
    }));

    private IResult Topic(string topic)
    {
        if (!routes.TryGet(topic, out var route)) return Failure(BrokerError.UnknownPartition(topic, null));
        return Ok(new
        {
            name = route.Name,
            partitions = route.Partitions.Select((p, i) => new
            {
                partition = i,
                logStartOffset = p.Status.LogStartOffset,
                highWatermark = p.Status.HighWatermark,
                logEndOffset = p.Status.LogEndOffset,
                sizeBytes = p.Status.SizeBytes,
                messagesPerSecond = history.RateOf(new TopicPartition(route.Name, i)),
            }),
        });
    }

    /// <summary>
    /// The cluster as this node's metadata has it: nodes with their status and how many partitions each leads and
    /// holds, and every partition's leader, epoch, replicas and ISR (what `golog cluster status` prints). One node is
    /// a cluster of one that leads everything. Read from <see cref="ClusterView"/>, no request to anyone.
    /// </summary>
    private IResult Cluster()
    {
        var view = routes.Cluster;
        var partitions = routes.Topics()
            .SelectMany(t => Enumerable.Range(0, t.Partitions.Count).Select(p => (Topic: t.Name, Partition: p, Leadership: view.LeadershipOf(new TopicPartition(t.Name, p)))))
            .ToList();
        return Ok(new
        {
            clustered = view.Clustered,
            self = view.SelfId,
            controller = view.Controller,
            underReplicated = partitions.Count(p => p.Leadership.UnderReplicated),
            leaderless = partitions.Count(p => p.Leadership.Leader == PartitionLeadership.NoLeader),
            brokers = view.Brokers.Select(b => new
            {
                nodeId = b.NodeId, host = b.Host, port = b.Port, kafkaPort = b.KafkaPort, status = b.Status,
                leads = partitions.Count(p => p.Leadership.Leader == b.NodeId),
                replicas = partitions.Count(p => p.Leadership.Replicas.Contains(b.NodeId)),
            }),
            partitions = partitions.Select(p => new
            {
                topic = p.Topic, partition = p.Partition,
                leader = p.Leadership.Leader == PartitionLeadership.NoLeader ? (int?)null : p.Leadership.Leader,
                leaderEpoch = p.Leadership.Epoch, replicas = p.Leadership.Replicas, isr = p.Leadership.Isr,
                minInsyncReplicas = p.Leadership.MinInsyncReplicas, underReplicated = p.Leadership.UnderReplicated,
            }),
        });
    }

    /// <summary>POST /api/topics {"name": "orders", "partitions": 3}: the same create_topic any door sends.</summary>
    private async Task<IResult> CreateTopic(HttpRequest request)
    {
        var body = await RequestBody.ReadJsonAsync(request);
        if (body.Error is { } error) return error;
        var json = body.Json!.Value;
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            return Problem(HttpStatusCode.BadRequest, "invalid_request", "expected {\"name\": \"topic\", \"partitions\": N}");
        int partitions = 1;
        if (json.TryGetProperty("partitions", out var p) && (p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out partitions) || partitions < 1))
            return Problem(HttpStatusCode.BadRequest, "invalid_request", "\"partitions\" must be a whole number of at least 1");
        return await core.AskAsync(new CreateTopicCommand(name.GetString()!, partitions)) switch
        {
            TopicCreated created => Results.Json(new { name = created.Topic, partitions = created.Partitions }, Json, statusCode: 201),
            var other => Failure(other),
        };
    }

    /// <summary>?offset=N&amp;limit=M reads forward from N; ?last=M (the default, 50) reads the partition's last M messages.</summary>
    private async Task<IResult> Messages(string topic, int partition, long? offset, int? limit, int? last)
    {
        if (!routes.TryGetPartition(topic, partition, out var route)) return Failure(BrokerError.UnknownPartition(topic, partition));
        int count = Math.Clamp(limit ?? last ?? DefaultMessages, 1, MaxMessages);
        long from = offset ?? Math.Max(route.Status.LogStartOffset, route.Status.HighWatermark - count);
        var result = await core.AskAsync(new FetchCommand(topic, partition, from, count, MaxMessageBytes, TimeSpan.Zero));
        if (result is not Fetched fetched) return Failure(result);
        return Ok(new
        {
            topic, partition, from,
            logStartOffset = fetched.LogStartOffset,
            highWatermark = fetched.HighWatermark,
            messages = MessageView.Messages(fetched),
        });
    }

    private async Task<IResult> Groups()
    {
        if (await core.AskAsync(ListGroupsQuery.Instance) is not GroupsListed listed) return Problem(HttpStatusCode.ServiceUnavailable, "unavailable", "groups could not be listed");
        var board = groups.Snapshot().ToDictionary(g => g.Key, g => g.Value);
        return Ok(listed.Groups.Select(g => new
        {
            name = g.Group,
            state = JsonWireMapping.StateName(g.State),
            members = g.Members,
            totalLag = board.TryGetValue(g.Group, out var status) ? TotalLag(status) : 0,
        }));
    }

    private async Task<IResult> Group(string group)
    {
        var result = await core.AskAsync(new DescribeGroupQuery(group));
        if (result is not GroupDescribed { Description: var d }) return Failure(result);
        return Ok(new
        {
            name = d.Group,
            state = JsonWireMapping.StateName(d.State),
            generation = d.GenerationId,
            protocol = d.Protocol,
            members = d.Members.Select(m => new
            {
                memberId = m.MemberId, clientId = m.ClientId, topics = m.Topics,
                assignment = m.Assignment.Select(a => new { topic = a.Topic, partitions = a.Partitions }),
            }),
            offsets = d.Offsets.Select(o => new
            {
                topic = o.Partition.Topic, partition = o.Partition.Partition, committed = o.Committed,
                highWatermark = o.HighWatermark, lag = o.Lag, memberId = o.MemberId,
            }),
            totalLag = d.Offsets.Sum(o => o.Lag ?? 0),
            lagHistory = history.LagOf(d.Group),
        });
    }

    private long TotalLag(GroupStatus status) => status.Committed.Sum(c => Lag.Of(routes, c.Key, c.Value) ?? 0);

    private static IResult Ok(object value) => Results.Json(value, Json);

    private static IResult Failure(ICoreResult result) => result is Failed f
        ? Failure(f.Error)
        : Problem(HttpStatusCode.InternalServerError, "unexpected_reply", $"unexpected answer {result.GetType().Name}");

    /// <summary>A core error as HTTP: its JSON-lines code and message, with the status a REST client expects.</summary>
    public static IResult Failure(BrokerError error) => Problem(error.Code switch
    {
        BrokerErrorCode.UnknownTopicOrPartition or BrokerErrorCode.UnknownGroup => HttpStatusCode.NotFound,
        BrokerErrorCode.TopicAlreadyExists or BrokerErrorCode.TooManyTopics => HttpStatusCode.Conflict,
        BrokerErrorCode.StorageError => HttpStatusCode.InternalServerError,
        BrokerErrorCode.BrokerShuttingDown => HttpStatusCode.ServiceUnavailable,
        _ => HttpStatusCode.BadRequest,
    }, error.Code.Wire().Json, error.Message);

    public static IResult Problem(HttpStatusCode status, string code, string message) =>
        Results.Json(new { error = code, message }, Json, statusCode: (int)status);
}
