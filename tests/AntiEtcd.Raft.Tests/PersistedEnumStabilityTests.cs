namespace AntiEtcd.Raft.Tests;

/// <summary>Numeric values that go on the wire or into the WAL are frozen (garnet PersistedEnumStabilityTests).</summary>
public sealed class PersistedEnumStabilityTests
{
    [Fact]
    public void MessageTypeValuesAreFrozen()
    {
        var expected = new Dictionary<string, int>
        {
            ["App"] = 1, ["AppResp"] = 2, ["Vote"] = 3, ["VoteResp"] = 4, ["PreVote"] = 5, ["PreVoteResp"] = 6,
            ["Heartbeat"] = 7, ["HeartbeatResp"] = 8, ["Snap"] = 9, ["TimeoutNow"] = 10, ["ReadIndex"] = 11, ["ReadIndexResp"] = 12,
        };
        Assert.Equal(expected, Enum.GetValues<MessageType>().ToDictionary(v => v.ToString(), v => (int)v));
    }

    [Fact]
    public void EntryTypeValuesAreFrozen()
    {
        var expected = new Dictionary<string, int> { ["Normal"] = 0, ["Empty"] = 1 };
        Assert.Equal(expected, Enum.GetValues<EntryType>().ToDictionary(v => v.ToString(), v => (int)v));
    }
}
