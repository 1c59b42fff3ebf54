using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>The shape rules of a pre-reduced group's header (<see cref="ShardResultHeader.Members"/>).</summary>
public static class GroupHeaders
{
    /// <summary>
    /// What is wrong with the header's members, or null: each must be keyed like the header, for
    /// the consecutive shards from the header's, and be a single shard's header itself.
    /// </summary>
    public static string? Problem(ShardResultHeader header)
    {
        for (int i = 0; i < header.Members.Count; i++)
        {
            var member = header.Members[i];
            if (member.Key is null) return $"header.members[{i}].key is missing";
            if (member.Members.Count != 0) return $"header.members[{i}] has members of its own";
            var expected = header.Key.Clone();
            expected.Shard += i;
            if (!member.Key.Equals(expected))
                return $"header.members[{i}].key is shard {member.Key.Shard} attempt {member.Key.Attempt} of step {member.Key.Step}; expected shard {expected.Shard} attempt {expected.Attempt} of step {expected.Step}";
        }
        return null;
    }
}
