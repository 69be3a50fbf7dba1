namespace AntiEtcd.Server.Cluster;

/// <summary>A forwarded request waiting for the leader's reply.</summary>
internal sealed class PendingForward
{
    /// <summary>Completed by the reply, or failed when the connection it was sent on ends.</summary>
    public TaskCompletionSource<ForwardReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The outgoing connection it was sent on (0 until sent).</summary>
    public long ConnectionId { get; set; }
}
