using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>The seed-style client codecs (used by golog-perf --seed) agree with the broker's parser and ack writer.</summary>
public class SeedClientCodecTests
{
    [Fact]
    public void Seed_produce_line_parses_as_a_seed_style_produce()
    {
        var line = SingleLine(Output(b => new RequestWriter(b).SeedProduce("orders", 3, Utf8("say \"hi\"\nbye"))));
        var result = RequestParser.Parse(line);
        Assert.Null(result.Error);
        Assert.False(result.IsFramed);
        var r = result.Request!;
        Assert.Equal(RequestType.Produce, r.Type);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(3, r.Partition);
        Assert.Equal("say \"hi\"\nbye", Text(Assert.Single(r.Messages)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(41L)]
    [InlineData(long.MaxValue)]
    public void Ack_written_by_the_broker_parses_back(long offset)
    {
        var line = SingleLine(Output(b => SeedText.Ack(b, offset)));
        Assert.True(SeedText.TryParseAck(line, out long parsed));
        Assert.Equal(offset, parsed);
    }

    [Theory]
    [InlineData("error: unknown topic")]
    [InlineData("ack offset ")]
    [InlineData("ack offset 12x")]
    [InlineData("ack offset -1")]
    [InlineData("offset 3: hello")]
    public void Anything_but_an_ack_is_not_an_ack(string line)
    {
        Assert.False(SeedText.TryParseAck(Utf8(line), out _));
    }
}
