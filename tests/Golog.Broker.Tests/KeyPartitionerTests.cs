using System.Text;
using Golog.Storage;

namespace Golog.Broker.Tests;

/// <summary>Keyed records land on the partition Kafka's default partitioner picks for the key.</summary>
public sealed class KeyPartitionerTests
{
    [Theory]
    // Kafka's own murmur2 test vectors (org.apache.kafka.common.utils.UtilsTest.testMurmur2)
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_Kafka(string key, int expected) =>
        Assert.Equal(expected, KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void A_key_always_maps_to_the_same_partition_within_range()
    {
        for (int i = 0; i < 1000; i++)
        {
            var key = Encoding.UTF8.GetBytes($"key-{i}");
            int partition = KeyPartitioner.Partition(key, 7);
            Assert.InRange(partition, 0, 6);
            Assert.Equal(partition, KeyPartitioner.Partition(key.ToArray(), 7));
        }
        Assert.Equal(0, KeyPartitioner.Partition([], 1));
    }
}
