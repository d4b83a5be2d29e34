using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>The parser reuses scratch space between requests; no request may see another's messages.</summary>
public class RequestParserReuseTests
{
    [Fact]
    public void An_earlier_batch_keeps_its_messages_after_later_parses()
    {
        var first = Accept("""{"type":"produce","id":1,"topic":"t","messages":["a","b","c"]}""");
        var second = Accept("""{"type":"produce","id":2,"topic":"t","messages":["x"]}""");
        Accept("""{"type":"produce","id":3,"topic":"t","message":"y"}""");
        Reject("""{"type":"produce","id":4,"topic":"t","messages":["z",1]}""", ErrorCode.InvalidRequest, "4");

        Assert.Equal(["a", "b", "c"], first.Messages.Select(m => Text(m)));
        Assert.Equal(["x"], second.Messages.Select(m => Text(m)));
    }

    [Fact]
    public void A_repeated_messages_member_keeps_only_the_last_array()
    {
        var r = Accept("""{"type":"produce","id":1,"topic":"t","messages":["a","b"],"messages":["c"]}""");
        Assert.Equal(["c"], r.Messages.Select(m => Text(m)));
    }
}
