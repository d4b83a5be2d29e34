using System.CommandLine;

namespace Golog.Admin;

/// <summary>`golog`'s command tree, in the spirit of kafka-topics, kafka-consumer-groups and rpk: topics, groups, cluster, dump-log.</summary>
internal static class AdminCommands
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("golog: administer a Golog broker (topics, consumer groups, the cluster) and inspect its log segments.")
        {
            BrokerCall.BrokerOption,
            Output.FormatOption,
            TopicCommands.Create(),
            GroupCommands.Create(),
            ClusterCommands.Create(),
            DumpLogCommand.Create(),
        };
        return root;
    }
}
