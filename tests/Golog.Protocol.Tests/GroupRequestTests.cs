using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>The consumer-group requests: what the parser accepts and refuses, and client ↔ broker codec round trips.</summary>
public class GroupRequestTests
{
    private static Request WriteAndParse(Action<RequestWriter> write)
    {
        var result = RequestParser.Parse(SingleLine(Output(b => write(new RequestWriter(b)))));
        Assert.Null(result.Error);
        return result.Request!;
    }

    private static Reply WriteAndRead(Action<FramedReplyWriter> write) =>
        ReplyReader.Parse(SingleLine(Output(b => write(new FramedReplyWriter(b)))));

    [Fact]
    public void Join_group_carries_topics_member_session_and_client()
    {
        var r = Accept("""{"type":"join_group","id":1,"group":"g","topics":["a","b"],"member_id":"m-1","session_timeout_ms":2000,"client_id":"c"}""");
        Assert.Equal(RequestType.JoinGroup, r.Type);
        Assert.Equal("g", r.Group);
        Assert.Equal(["a", "b"], r.Topics);
        Assert.Equal("m-1", r.MemberId);
        Assert.Equal(2000, r.SessionTimeoutMs);
        Assert.Equal("c", r.ClientId);
    }

    [Fact]
    public void Join_group_of_a_new_member_needs_only_group_and_topics()
    {
        var r = Accept("""{"type":"join_group","id":1,"group":"g","topics":["a"]}""");
        Assert.Null(r.MemberId);
        Assert.Null(r.SessionTimeoutMs);
    }

    [Theory]
    [InlineData("""{"type":"join_group","id":1,"topics":["a"]}""", "missing \"group\"")]
    [InlineData("""{"type":"join_group","id":1,"group":"g"}""", "missing \"topics\"")]
    [InlineData("""{"type":"join_group","id":1,"group":"g","topics":[]}""", "must not be empty")]
    [InlineData("""{"type":"join_group","id":1,"group":"g","topics":"a"}""", "array of strings")]
    [InlineData("""{"type":"join_group","id":1,"group":"g","topics":["a",1]}""", "array of strings")]
    [InlineData("""{"type":"join_group","id":1,"group":"g","topics":["a"],"session_timeout_ms":0}""", "session_timeout_ms")]
    [InlineData("""{"type":"heartbeat","id":1,"group":"g","member_id":"m"}""", "missing \"generation_id\"")]
    [InlineData("""{"type":"heartbeat","id":1,"group":"g","generation_id":1}""", "missing \"member_id\"")]
    [InlineData("""{"type":"heartbeat","id":1,"group":"g","member_id":"m","generation_id":"1"}""", "generation_id")]
    [InlineData("""{"type":"leave_group","id":1,"group":"g"}""", "missing \"member_id\"")]
    [InlineData("""{"type":"describe_group","id":1}""", "missing \"group\"")]
    [InlineData("""{"type":"commit","id":1,"group":"g","topic":"t","partition":0,"offset":1,"member_id":"m"}""", "both")]
    [InlineData("""{"type":"commit","id":1,"group":"g","topic":"t","partition":0,"offset":1,"generation_id":2}""", "both")]
    public void Incomplete_or_ill_typed_group_requests_are_invalid(string line, string why)
    {
        var error = Reject(line, ErrorCode.InvalidRequest, "1");
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Group_requests_need_an_id()
    {
        Reject("""{"type":"list_groups"}""", ErrorCode.InvalidRequest);
        Reject("""{"type":"heartbeat","group":"g","member_id":"m","generation_id":1}""", ErrorCode.InvalidRequest);
    }

    [Fact]
    public void A_fenced_commit_carries_member_and_generation_and_a_plain_one_carries_neither()
    {
        var fenced = WriteAndParse(w => w.Commit(5, "g", "t", 2, 44, new MemberGeneration("m-1", 3)));
        Assert.Equal(("m-1", 3), (fenced.MemberId, fenced.GenerationId));
        var plain = WriteAndParse(w => w.Commit(6, "g", "t", 2, 44));
        Assert.Null(plain.MemberId);
        Assert.Null(plain.GenerationId);
    }

    [Fact]
    public void Client_group_requests_round_trip_through_the_parser()
    {
        var join = WriteAndParse(w => w.JoinGroup(1, "g", ["a", "b"], "m-1", 2000, "c"));
        Assert.Equal((RequestType.JoinGroup, "g", "m-1", 2000, "c"), (join.Type, join.Group, join.MemberId, join.SessionTimeoutMs, join.ClientId));
        Assert.Equal(["a", "b"], join.Topics);
        var heartbeat = WriteAndParse(w => w.Heartbeat(2, "g", new MemberGeneration("m-1", 7)));
        Assert.Equal((RequestType.Heartbeat, "m-1", 7), (heartbeat.Type, heartbeat.MemberId, heartbeat.GenerationId));
        var leave = WriteAndParse(w => w.LeaveGroup(3, "g", "m-1"));
        Assert.Equal((RequestType.LeaveGroup, "m-1"), (leave.Type, leave.MemberId));
        Assert.Equal(RequestType.DescribeGroup, WriteAndParse(w => w.DescribeGroup(4, "g")).Type);
        Assert.Equal(RequestType.ListGroups, WriteAndParse(w => w.ListGroups(5)).Type);
    }

    [Fact]
    public void A_join_reply_reads_back_generation_member_and_assignment()
    {
        var joined = new JoinedGroup("g", 3, "m-1", "range", 666, 2000, [new TopicAssignment("a", [0, 2]), new TopicAssignment("b", [1])]);
        var reply = WriteAndRead(w => w.GroupJoined(Id("9"), joined));
        Assert.True(reply.Ok);
        Assert.Equal((3, "m-1", "range", 666, 2000), (reply.GenerationId!.Value, reply.MemberId, reply.Protocol, reply.HeartbeatIntervalMs!.Value, reply.SessionTimeoutMs!.Value));
        Assert.Equal(joined.Assignment.Select(a => (a.Topic, string.Join(",", a.Partitions))), reply.Assignment!.Select(a => (a.Topic, string.Join(",", a.Partitions))));
    }

    [Fact]
    public void A_describe_reply_reads_back_members_and_offsets_with_lag()
    {
        var d = new GroupDescription("g", "stable", 2, "round-robin",
            [new GroupMemberInfo("m-1", "c", ["t"], [new TopicAssignment("t", [0])])],
            [new GroupPartitionOffset("t", 0, 4, 10, "m-1"), new GroupPartitionOffset("t", 1, null, null, null)]);
        var line = Text(Output(b => new FramedReplyWriter(b).GroupDescribed(Id("1"), d)));
        Assert.Contains("\"lag\":6", line);
        var reply = ReplyReader.Parse(SingleLine(Utf8(line)));
        Assert.Equal("stable", reply.State);
        var member = Assert.Single(reply.Members!);
        Assert.Equal(("m-1", "c", "t"), (member.MemberId, member.ClientId, Assert.Single(member.Topics)));
        Assert.Equal(d.Offsets, reply.Offsets);
        Assert.Equal(6, reply.Offsets![0].Lag);
        Assert.Null(reply.Offsets[1].Lag);
    }

    [Fact]
    public void A_list_reply_reads_back_every_group()
    {
        GroupListing[] groups = [new("a", "stable", 3), new("b", "empty", 0)];
        var reply = WriteAndRead(w => w.GroupsListed(Id("1"), groups));
        Assert.Equal(groups, reply.Groups);
    }
}
