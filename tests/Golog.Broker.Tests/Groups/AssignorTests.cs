using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Groups;

public class AssignorTests
{
    private static Dictionary<string, List<TopicPartition>> Assign(PartitionAssignor assignor, Dictionary<string, string[]> subscriptions,
        Dictionary<string, int> counts) =>
        assignor.Assign(subscriptions.ToDictionary(s => s.Key, s => (IReadOnlyList<string>)s.Value), counts);

    private static string Show(IEnumerable<TopicPartition> partitions) => string.Join(" ", partitions.Select(tp => tp.ToString()));

    [Fact]
    public void Range_gives_each_member_consecutive_partitions_and_the_first_members_the_extra_ones()
    {
        var result = Assign(new RangeAssignor(), new() { ["b"] = ["t"], ["a"] = ["t"], ["c"] = ["t"] }, new() { ["t"] = 7 });
        Assert.Equal("t-0 t-1 t-2", Show(result["a"]));
        Assert.Equal("t-3 t-4", Show(result["b"]));
        Assert.Equal("t-5 t-6", Show(result["c"]));
    }

    [Fact]
    public void Range_assigns_each_topic_separately_among_its_subscribers()
    {
        var result = Assign(new RangeAssignor(), new() { ["a"] = ["t", "u"], ["b"] = ["t"] }, new() { ["t"] = 2, ["u"] = 2 });
        Assert.Equal("t-0 u-0 u-1", Show(result["a"]));
        Assert.Equal("t-1", Show(result["b"]));
    }

    [Fact]
    public void Round_robin_deals_partitions_across_topics_one_at_a_time()
    {
        var result = Assign(new RoundRobinAssignor(), new() { ["a"] = ["t", "u"], ["b"] = ["t", "u"] }, new() { ["t"] = 3, ["u"] = 1 });
        Assert.Equal("t-0 t-2", Show(result["a"]));
        Assert.Equal("t-1 u-0", Show(result["b"]));
    }

    [Fact]
    public void Round_robin_skips_members_not_subscribed_to_a_topic()
    {
        var result = Assign(new RoundRobinAssignor(), new() { ["a"] = ["t"], ["b"] = ["u"] }, new() { ["t"] = 2, ["u"] = 2 });
        Assert.Equal("t-0 t-1", Show(result["a"]));
        Assert.Equal("u-0 u-1", Show(result["b"]));
    }

    [Theory]
    [InlineData("range")]
    [InlineData("round-robin")]
    public void Every_partition_goes_to_exactly_one_member_and_members_beyond_the_partitions_get_none(string strategy)
    {
        var subscriptions = Enumerable.Range(0, 8).ToDictionary(i => $"m{i}", _ => new[] { "t" });
        var result = Assign(PartitionAssignor.Named(strategy), subscriptions, new() { ["t"] = 6 });
        var all = result.Values.SelectMany(p => p).ToList();
        Assert.Equal(6, all.Count);
        Assert.Equal(6, all.Distinct().Count());
        Assert.Equal(2, result.Values.Count(p => p.Count == 0));
    }

    [Fact]
    public void A_topic_that_does_not_exist_yet_assigns_nothing()
    {
        var result = Assign(new RangeAssignor(), new() { ["a"] = ["missing"] }, new());
        Assert.Empty(result["a"]);
    }

    [Fact]
    public void An_unknown_strategy_is_refused_with_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => PartitionAssignor.Named("sticky"));
        Assert.Contains("range or round-robin", e.Message);
        Assert.Equal("round-robin", PartitionAssignor.Named("roundrobin").Name);
    }
}
