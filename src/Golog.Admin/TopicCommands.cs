using System.CommandLine;
using TopicMetadata = Golog.Protocol.TopicMetadata;

namespace Golog.Admin;

/// <summary>`golog topics list | describe | create | alter | delete`, as kafka-topics does them.</summary>
internal static class TopicCommands
{
    private static Argument<string> TopicArgument() => new("TOPIC") { Description = "topic name" };

    private static Option<int> PartitionsOption(string description) => new("--partitions", "-p")
    {
        Description = description,
        Required = true,
        HelpName = "N",
    };

    public static Command Create()
    {
        var topics = new Command("topics", "list, describe, create, grow and delete topics");

        var list = new Command("list", "every topic with its partition count and the messages it holds");
        list.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            var all = await client.MetadataAsync(null, ct);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, all.Select(t => new { t.Name, Partitions = t.Partitions.Count, Messages = Messages(t) }));
            else if (all.Count == 0) Console.WriteLine("no topics");
            else Output.WriteTable(Console.Out, ["TOPIC", "PARTITIONS", "MESSAGES"],
                all.Select(t => new[] { t.Name, t.Partitions.Count.ToString(), Messages(t).ToString() }));
            return 0;
        }));

        var describeTopic = TopicArgument();
        var describe = new Command("describe", "a topic's partitions: log start offset, high watermark and messages held") { describeTopic };
        describe.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            var topic = (await client.MetadataAsync(parsed.GetValue(describeTopic), ct)).Single();
            if (Output.IsJson(parsed)) { Output.WriteJson(Console.Out, topic); return 0; }
            Console.WriteLine($"topic {topic.Name}: {topic.Partitions.Count} partitions, {Messages(topic)} messages");
            Console.WriteLine();
            Output.WriteTable(Console.Out, ["PARTITION", "LOG-START", "HIGH-WATERMARK", "MESSAGES"], topic.Partitions.Select(p => new[]
            {
                p.Partition.ToString(), p.LogStartOffset.ToString(), p.HighWatermark.ToString(), (p.HighWatermark - p.LogStartOffset).ToString(),
            }));
            return 0;
        }));

        var createTopic = TopicArgument();
        var createPartitions = PartitionsOption("number of partitions (consumers in a group share them)");
        var create = new Command("create", "create a topic with N partitions") { createTopic, createPartitions };
        create.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            string topic = parsed.GetValue(createTopic)!;
            int partitions = parsed.GetValue(createPartitions);
            await client.CreateTopicAsync(topic, partitions, ct);
            Report(parsed, new { Topic = topic, Partitions = partitions }, $"created topic {topic} with {partitions} partitions");
            return 0;
        }));

        var alterTopic = TopicArgument();
        var alterPartitions = PartitionsOption("the partition count to grow to (more than the topic has: partitions are never removed)");
        var alter = new Command("alter", "add partitions to a topic (a produce to a partition it lacks is refused, never grows it)") { alterTopic, alterPartitions };
        alter.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            string topic = parsed.GetValue(alterTopic)!;
            int partitions = parsed.GetValue(alterPartitions);
            await client.CreatePartitionsAsync(topic, partitions, ct);
            Report(parsed, new { Topic = topic, Partitions = partitions }, $"topic {topic} now has {partitions} partitions");
            return 0;
        }));

        var deleteTopic = TopicArgument();
        var delete = new Command("delete", "delete a topic: its data, and every group's committed offsets for it") { deleteTopic };
        delete.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            string topic = parsed.GetValue(deleteTopic)!;
            int partitions = await client.DeleteTopicAsync(topic, ct);
            Report(parsed, new { Topic = topic, Partitions = partitions }, $"deleted topic {topic} ({partitions} partitions)");
            return 0;
        }));

        topics.Add(list);
        topics.Add(describe);
        topics.Add(create);
        topics.Add(alter);
        topics.Add(delete);
        return topics;
    }

    private static long Messages(TopicMetadata t) => t.Partitions.Sum(p => p.HighWatermark - p.LogStartOffset);

    private static void Report<T>(ParseResult parsed, T result, string sentence)
    {
        if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, result);
        else Console.WriteLine(sentence);
    }
}
