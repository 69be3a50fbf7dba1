namespace AntiEtcd.Raft;

/// <summary>Linearizable reads without log writes: the read-index protocol (Raft thesis §6.4).</summary>
public sealed partial class RaftNode
{
    // Requests confirmed by the heartbeat round they triggered, oldest first. An ack for a later request confirms
    // every earlier one too, which is what batches reads.
    private readonly List<ReadIndexRequest> _readIndexRequests = [];

    // Requests received before this leader committed an entry of its term: its commit index may still be behind.
    private readonly List<(NodeId From, ReadOnlyMemory<byte> Context)> _pendingReadIndex = [];

    private void HandleReadIndexRequest(NodeId from, ReadOnlyMemory<byte> context)
    {
        if (!CommittedEntryInCurrentTerm)
        {
            _pendingReadIndex.Add((from, context));
            return;
        }

        if (_voters.Length == 1 || (Bugs & RaftBugs.ReadIndexWithoutQuorum) != 0)
        {
            RespondReadIndex(from, context, _log.Committed);
            return;
        }

        var request = new ReadIndexRequest(from, context, _log.Committed);
        request.Acks.Add(Id);
        _readIndexRequests.Add(request);
        BroadcastHeartbeat(context);
    }

    private void ReleasePendingReadIndex()
    {
        if (_pendingReadIndex.Count == 0)
        {
            return;
        }

        var pending = _pendingReadIndex.ToArray();
        _pendingReadIndex.Clear();
        foreach (var (from, context) in pending)
        {
            HandleReadIndexRequest(from, context);
        }
    }

    private void AckReadIndex(NodeId from, ReadOnlyMemory<byte> context)
    {
        var at = -1;
        for (var i = 0; i < _readIndexRequests.Count; i++)
        {
            if (_readIndexRequests[i].Context.Span.SequenceEqual(context.Span))
            {
                at = i;
                break;
            }
        }

        if (at < 0)
        {
            return;
        }

        var request = _readIndexRequests[at];
        request.Acks.Add(from);
        if (request.Acks.Count < Quorum.Majority(_voters.Length))
        {
            return;
        }

        // A majority answered a heartbeat sent after every request up to this one arrived: all are confirmed.
        for (var i = 0; i <= at; i++)
        {
            var r = _readIndexRequests[i];
            RespondReadIndex(r.From, r.Context, r.Index);
        }

        _readIndexRequests.RemoveRange(0, at + 1);
    }

    private ReadOnlyMemory<byte> LastPendingReadContext() =>
        _readIndexRequests.Count > 0 ? _readIndexRequests[^1].Context : ReadOnlyMemory<byte>.Empty;

    private void RespondReadIndex(NodeId from, ReadOnlyMemory<byte> context, ulong index)
    {
        if (from == Id)
        {
            _readStates.Add(new ReadState(index, context));
        }
        else
        {
            Send(new Message { Type = MessageType.ReadIndexResp, To = from, Index = index, Context = context });
        }
    }
}
