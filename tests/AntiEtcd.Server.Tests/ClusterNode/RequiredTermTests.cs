using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Node;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// A write decided in one term (a lease expiry, from that term's deadlines) reaches the log only in that term: the
/// Raft loop checks <see cref="Proposal.RequiredTerm"/> where the core takes the proposal, so no deposition and
/// re-election of the node can come between the decision and the proposal (SPEC §8.6).
/// </summary>
public sealed class RequiredTermTests
{
    [Fact]
    public async Task A_proposal_bound_to_another_term_is_not_proposed_and_one_bound_to_the_current_term_is()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = new Dictionary<string, string> { ["n1"] = "http://n1.test:2379" };
        await using var transport = new InMemoryPeerTransport(
            new InMemoryPeerNetwork(),
            new PeerTransportOptions { NodeName = "n1", Cluster = cluster, ClusterKey = "required-term-test-key"u8.ToArray(), Settings = new SharedSettings("memory", "", 2 * 1024 * 1024) },
            NullLogger.Instance);
        var membership = new ClusterMembership("n1", cluster);
        List<NodeId> voters = [membership.Local.Id];
        var storage = new MemoryRaftStorage(voters);
        var node = new RaftNode(new RaftConfig { Id = membership.Local.Id, Voters = voters, Storage = storage, HeartbeatTicks = 2, ElectionTicks = 4, Random = new Random(1), InMemory = true });
        var callbacks = new RaftLoopCallbacks { Apply = _ => { }, InstallSnapshot = _ => { }, StateChanged = _ => { }, Failed = _ => { } };
        await using var loop = new RaftLoop(node, storage, transport, null, new ProposalTracker(0), callbacks, TimeProvider.System, TimeSpan.FromMilliseconds(5), "n1", _ => "n1", NullLogger.Instance, logCluster: false);
        await transport.StartAsync(ct);
        loop.Start();
        await Until.TrueAsync(() => loop.Status.Role == AntiEtcd.Raft.RaftRole.Leader, TimeSpan.FromSeconds(10), () => $"n1 is {loop.Status.Role}");
        var term = loop.Status.Term;

        // Decided in a term the node is not in (a term it led in before being deposed and re-elected looks the same).
        var stale = new Proposal(new byte[] { 1 }) { RequiredTerm = term + 1 };
        loop.Propose(stale);
        var outcome = await stale.Completion.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(ApplyOutcomeKind.NotProposed, outcome.Kind);
        Assert.Equal(0UL, stale.Index);

        var current = new Proposal(new byte[] { 2 }) { RequiredTerm = term };
        loop.Propose(current);
        await Until.TrueAsync(() => current.Index != 0 || current.Completion.Task.IsCompleted, TimeSpan.FromSeconds(10), () => "the current-term proposal was not taken");
        Assert.NotEqual(0UL, current.Index);
        Assert.Equal(term, current.Term);

        // A client write (no required term) is unaffected.
        var client = new Proposal(new byte[] { 3 });
        loop.Propose(client);
        await Until.TrueAsync(() => client.Index != 0 || client.Completion.Task.IsCompleted, TimeSpan.FromSeconds(10), () => "the client proposal was not taken");
        Assert.Equal(current.Index + 1, client.Index);
    }
}
