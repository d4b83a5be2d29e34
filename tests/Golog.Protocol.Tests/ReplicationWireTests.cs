using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// The wire of replication as a client reads and writes it: metadata's brokers, controller and partition leaders
/// (and their absence from an older broker), not_leader's leader hint, a produce's acks and idempotent-producer
/// fields, init_producer_id.
/// </summary>
public class ReplicationWireTests
{
    private static Reply Read(string line) => ReplyReader.Parse(Utf8(line));

    private static Reply WriteAndRead(Action<FramedReplyWriter> write) =>
        ReplyReader.Parse(SingleLine(Output(b => write(new FramedReplyWriter(b)))));

    [Fact]
    public void A_cluster_metadata_reply_gives_brokers_controller_and_each_partitions_leader_replicas_isr_and_epoch()
    {
        var reply = Read("""
            {"id":8,"ok":true,"brokers":[{"node_id":1,"host":"10.0.0.1","port":9192,"kafka_port":9193,"status":"up"},
             {"node_id":2,"host":"10.0.0.2","port":9292,"kafka_port":null,"status":"unreachable"}],"controller":2,
             "topics":[{"name":"orders","partitions":[{"partition":0,"log_start_offset":3,"high_watermark":44,"leader":2,
             "replicas":[2,1,3],"isr":[2,1],"leader_epoch":7},{"partition":1,"log_start_offset":0,"high_watermark":0,"leader":null,
             "replicas":[1,3],"isr":[1,3],"leader_epoch":2}]}]}
            """.ReplaceLineEndings(""));

        Assert.Equal([new BrokerNode(1, "10.0.0.1", 9192, 9193, "up"), new BrokerNode(2, "10.0.0.2", 9292, null, "unreachable")], reply.Brokers);
        Assert.Equal(2, reply.Controller);
        var p0 = reply.Topics![0].Partitions[0];
        Assert.Equal((3L, 44L, 2, 7), (p0.LogStartOffset, p0.HighWatermark, p0.Leader!.Value, p0.LeaderEpoch!.Value));
        Assert.Equal([2, 1, 3], p0.Replicas);
        Assert.Equal([2, 1], p0.Isr);
        Assert.True(p0.UnderReplicated);
        var p1 = reply.Topics[0].Partitions[1];
        Assert.Null(p1.Leader); // an election is under way
        Assert.False(p1.UnderReplicated);
    }

    [Fact]
    public void A_metadata_reply_from_a_broker_before_replication_leaves_the_cluster_members_null()
    {
        var reply = Read("""{"id":8,"ok":true,"topics":[{"name":"orders","partitions":[{"partition":0,"log_start_offset":0,"high_watermark":44}]}]}""");

        Assert.Null(reply.Brokers);
        Assert.Null(reply.Controller);
        var p = Assert.Single(reply.Topics![0].Partitions);
        Assert.Equal(44, p.HighWatermark);
        Assert.Null(p.Leader);
        Assert.Null(p.Replicas);
        Assert.Null(p.Isr);
        Assert.Null(p.LeaderEpoch);
        Assert.False(p.UnderReplicated);
    }

    [Fact]
    public void What_the_broker_writes_for_a_cluster_the_client_reads_back()
    {
        BrokerNode[] brokers = [new(0, "localhost", 9092, 9093, BrokerStatus.Up), new(1, "b", 9192, null, BrokerStatus.Leaving)];
        TopicMetadata[] topics = [new("t", [new PartitionMetadata(0, 1, 5) { Leader = 0, Replicas = [0, 1], Isr = [0], LeaderEpoch = 3 },
            new PartitionMetadata(1, 0, 0) { Leader = null, Replicas = [1], Isr = [1], LeaderEpoch = 1 }])];

        var reply = WriteAndRead(w => w.Metadata(Id("8"), topics, brokers, controller: 1));

        Assert.Equal(brokers, reply.Brokers);
        Assert.Equal(1, reply.Controller);
        var read = reply.Topics![0].Partitions;
        Assert.Equal((0, 3), (read[0].Leader, read[0].LeaderEpoch));
        Assert.Equal([0, 1], read[0].Replicas);
        Assert.Equal([0], read[0].Isr);
        Assert.Null(read[1].Leader);
        Assert.Equal(1, read[1].LeaderEpoch);
    }

    [Fact]
    public void Not_leader_carries_the_leaders_address_or_null_during_an_election()
    {
        var hinted = Read("""{"id":3,"ok":false,"error":{"code":"not_leader","message":"node 1 does not lead orders-0","leader":{"node_id":2,"host":"127.0.0.1","port":9192}}}""");
        var electing = Read("""{"id":4,"ok":false,"error":{"code":"not_leader","message":"election","leader":null}}""");

        Assert.Equal(ErrorCode.NotLeader, hinted.Error!.Code);
        Assert.Equal(new NodeAddress(2, "127.0.0.1", 9192), hinted.Error.Leader);
        Assert.Equal(ErrorCode.NotLeader, electing.Error!.Code);
        Assert.Null(electing.Error.Leader);
    }

    [Fact]
    public void Not_coordinator_carries_the_coordinators_address_or_null_and_coordinator_loading_is_its_own_code()
    {
        var hinted = Read("""{"id":5,"ok":false,"error":{"code":"not_coordinator","message":"node 1 does not coordinate g","coordinator":{"node_id":2,"host":"127.0.0.1","port":9192}}}""");
        var none = Read("""{"id":6,"ok":false,"error":{"code":"not_coordinator","message":"moving","coordinator":null}}""");
        var loading = Read("""{"id":7,"ok":false,"error":{"code":"coordinator_loading","message":"reading g's offsets"}}""");

        Assert.Equal((ErrorCode.NotCoordinator, new NodeAddress(2, "127.0.0.1", 9192)), (hinted.Error!.Code, hinted.Error.Coordinator));
        Assert.Null(hinted.Error.Leader); // a coordinator is not a partition leader
        Assert.Equal(ErrorCode.NotCoordinator, none.Error!.Code);
        Assert.Null(none.Error.Coordinator);
        Assert.Equal((ErrorCode.CoordinatorLoading, "reading g's offsets"), (loading.Error!.Code, loading.Error.Message));
    }

    [Fact]
    public void Find_coordinator_is_written_with_its_group_and_its_reply_read_as_an_address_or_null()
    {
        string request = Text(SingleLine(Output(b => new RequestWriter(b).FindCoordinator(9, "billing"))));
        var found = Read("""{"id":9,"ok":true,"coordinator":{"node_id":3,"host":"10.0.0.3","port":9392}}""");
        var none = Read("""{"id":10,"ok":true,"coordinator":null}""");

        Assert.Equal("""{"type":"find_coordinator","id":9,"group":"billing"}""", request);
        Assert.Equal(new NodeAddress(3, "10.0.0.3", 9392), found.Coordinator);
        Assert.Null(none.Coordinator);
        Assert.Null(found.Error);
    }

    [Fact]
    public void The_broker_writes_not_leaders_leader_as_an_address_or_null_and_no_other_error_gets_one()
    {
        string hinted = Text(SingleLine(Output(b => new FramedReplyWriter(b).Error(Id("1"),
            new ProtocolError(ErrorCode.NotLeader, "m") { Leader = new NodeAddress(2, "h", 9) }))));
        string electing = Text(SingleLine(Output(b => new FramedReplyWriter(b).Error(Id("1"), new ProtocolError(ErrorCode.NotLeader, "m")))));
        string other = Text(SingleLine(Output(b => new FramedReplyWriter(b).Error(Id("1"), new ProtocolError(ErrorCode.StorageError, "m")))));

        Assert.Contains("\"leader\":{\"node_id\":2,\"host\":\"h\",\"port\":9}", hinted);
        Assert.Contains("\"leader\":null", electing);
        Assert.DoesNotContain("leader", other);
    }

    [Fact]
    public void A_leader_member_of_another_shape_is_read_as_unknown_without_losing_the_rest_of_the_error()
    {
        var reply = Read("""{"id":3,"ok":false,"error":{"code":"not_leader","leader":7,"message":"after"}}""");

        Assert.Null(reply.Error!.Leader);
        Assert.Equal("after", reply.Error.Message);
    }

    [Fact]
    public void Init_producer_id_round_trips()
    {
        var request = Accept(Text(SingleLine(Output(b => new RequestWriter(b).InitProducerId(5)))));
        var reply = WriteAndRead(w => w.ProducerIdAssigned(Id("5"), 4001, 0));

        Assert.Equal(RequestType.InitProducerId, request.Type);
        Assert.Equal(4001, reply.ProducerId);
        Assert.Equal((short)0, reply.ProducerEpoch);
    }

    [Theory]
    [InlineData(AckLevel.All)]
    [InlineData(AckLevel.Leader)]
    [InlineData(AckLevel.None)]
    public void A_produce_with_acks_and_producer_fields_round_trips(AckLevel acks)
    {
        var producer = new ProducerSequence(4001, 3, 17);
        var request = Accept(Text(SingleLine(Output(b => new RequestWriter(b).Produce(1, "t", 0, [Utf8("x")], producer: producer, acks: acks)))));

        Assert.Equal(acks, request.Acks);
        Assert.Equal(producer, request.Producer);
    }

    [Theory]
    [InlineData("\"all\"", AckLevel.All)]
    [InlineData("1", AckLevel.Leader)]
    [InlineData("0", AckLevel.None)]
    public void Acks_takes_kafkas_three_values(string acks, AckLevel expected)
    {
        Assert.Equal(expected, Accept($$"""{"type":"produce","id":1,"topic":"t","message":"x","acks":{{acks}}}""").Acks);
    }

    [Fact]
    public void A_produce_without_acks_waits_for_all()
    {
        var request = Accept("""{"type":"produce","id":1,"topic":"t","message":"x"}""");

        Assert.Equal(AckLevel.All, request.Acks);
        Assert.Null(request.Producer);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2")]
    [InlineData("1.0")]
    [InlineData("\"0\"")]
    [InlineData("\"leader\"")]
    [InlineData("null")]
    [InlineData("[\"all\"]")]
    public void Any_other_acks_is_refused_saying_what_it_must_be(string acks)
    {
        var error = Reject(Utf8($$"""{"type":"produce","id":1,"topic":"t","message":"x","acks":{{acks}}}"""), ErrorCode.InvalidRequest, "1");

        Assert.Equal("\"acks\" must be \"all\", 1 or 0", error.Message);
    }

    [Theory]
    [InlineData("\"producer_id\":1", "give \"producer_id\", \"producer_epoch\" and \"sequence\" together, or none of them")]
    [InlineData("\"producer_id\":1,\"producer_epoch\":0", "give \"producer_id\", \"producer_epoch\" and \"sequence\" together, or none of them")]
    [InlineData("\"sequence\":0", "give \"producer_id\", \"producer_epoch\" and \"sequence\" together, or none of them")]
    [InlineData("\"producer_id\":-1,\"producer_epoch\":0,\"sequence\":0", "\"producer_id\" must be a non-negative integer")]
    [InlineData("\"producer_id\":1,\"producer_epoch\":-1,\"sequence\":0", "\"producer_epoch\" must be a non-negative integer")]
    [InlineData("\"producer_id\":1,\"producer_epoch\":32768,\"sequence\":0", "\"producer_epoch\" must be an integer from 0 to 32767")]
    [InlineData("\"producer_id\":1,\"producer_epoch\":0,\"sequence\":-5", "\"sequence\" must be a non-negative integer")]
    [InlineData("\"producer_id\":1,\"producer_epoch\":0,\"sequence\":\"0\"", "\"sequence\" must be a non-negative integer")]
    public void Incomplete_or_out_of_range_producer_fields_are_refused(string members, string message)
    {
        var error = Reject(Utf8($$"""{"type":"produce","id":1,"topic":"t","message":"x",{{members}}}"""), ErrorCode.InvalidRequest, "1");

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Producer_fields_need_the_framed_style()
    {
        var error = Reject(Utf8("""{"type":"produce","topic":"t","message":"x","producer_id":1,"producer_epoch":0,"sequence":0}"""), ErrorCode.InvalidRequest);

        Assert.Equal("\"producer_id\", \"producer_epoch\" and \"sequence\" need an \"id\" (framed style)", error.Message);
    }
}
