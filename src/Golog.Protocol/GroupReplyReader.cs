using System.Text.Json;

namespace Golog.Protocol;

/// <summary>The consumer-group parts of framed replies (client side), for <see cref="ReplyReader"/>. Each method starts on the member's value.</summary>
internal static class GroupReplyReader
{
    public static List<TopicAssignment> ReadAssignment(ref Utf8JsonReader r)
    {
        var assignment = new List<TopicAssignment>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string topic = "";
            var partitions = new List<int>();
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("topic"u8)) { r.Read(); topic = r.GetString()!; }
                else if (r.ValueTextEquals("partitions"u8))
                {
                    r.Read();
                    while (r.Read() && r.TokenType == JsonTokenType.Number) partitions.Add(r.GetInt32());
                }
                else { r.Read(); r.Skip(); }
            }
            assignment.Add(new TopicAssignment(topic, partitions));
        }
        return assignment;
    }

    public static List<GroupMemberInfo> ReadMembers(ref Utf8JsonReader r)
    {
        var members = new List<GroupMemberInfo>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string id = "", client = "";
            var topics = new List<string>();
            List<TopicAssignment> assignment = [];
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("member_id"u8)) { r.Read(); id = r.GetString()!; }
                else if (r.ValueTextEquals("client_id"u8)) { r.Read(); client = r.GetString()!; }
                else if (r.ValueTextEquals("topics"u8))
                {
                    r.Read();
                    while (r.Read() && r.TokenType == JsonTokenType.String) topics.Add(r.GetString()!);
                }
                else if (r.ValueTextEquals("assignment"u8)) { r.Read(); assignment = ReadAssignment(ref r); }
                else { r.Read(); r.Skip(); }
            }
            members.Add(new GroupMemberInfo(id, client, topics, assignment));
        }
        return members;
    }

    public static List<GroupPartitionOffset> ReadOffsets(ref Utf8JsonReader r)
    {
        var offsets = new List<GroupPartitionOffset>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string topic = "";
            int partition = 0;
            long? committed = null, hw = null;
            string? member = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("topic"u8)) { r.Read(); topic = r.GetString()!; }
                else if (r.ValueTextEquals("partition"u8)) { r.Read(); partition = r.GetInt32(); }
                else if (r.ValueTextEquals("committed"u8)) { r.Read(); committed = NullableLong(ref r); }
                else if (r.ValueTextEquals("high_watermark"u8)) { r.Read(); hw = NullableLong(ref r); }
                else if (r.ValueTextEquals("member_id"u8)) { r.Read(); member = r.GetString(); }
                else { r.Read(); r.Skip(); } // "lag" is derived from the two offsets
            }
            offsets.Add(new GroupPartitionOffset(topic, partition, committed, hw, member));
        }
        return offsets;
    }

    public static List<GroupListing> ReadGroups(ref Utf8JsonReader r)
    {
        var groups = new List<GroupListing>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string group = "", state = "";
            int members = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("group"u8)) { r.Read(); group = r.GetString()!; }
                else if (r.ValueTextEquals("state"u8)) { r.Read(); state = r.GetString()!; }
                else if (r.ValueTextEquals("members"u8)) { r.Read(); members = r.GetInt32(); }
                else { r.Read(); r.Skip(); }
            }
            groups.Add(new GroupListing(group, state, members));
        }
        return groups;
    }

    public static List<OffsetResetEntry> ReadReset(ref Utf8JsonReader r)
    {
        var reset = new List<OffsetResetEntry>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string topic = "";
            int partition = 0;
            long? previous = null;
            long offset = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("topic"u8)) { r.Read(); topic = r.GetString()!; }
                else if (r.ValueTextEquals("partition"u8)) { r.Read(); partition = r.GetInt32(); }
                else if (r.ValueTextEquals("previous"u8)) { r.Read(); previous = NullableLong(ref r); }
                else if (r.ValueTextEquals("offset"u8)) { r.Read(); offset = r.GetInt64(); }
                else { r.Read(); r.Skip(); }
            }
            reset.Add(new OffsetResetEntry(topic, partition, previous, offset));
        }
        return reset;
    }

    private static long? NullableLong(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetInt64();
}
