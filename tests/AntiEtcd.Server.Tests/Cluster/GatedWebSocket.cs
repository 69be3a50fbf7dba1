using System.Net.WebSockets;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>A send-only <see cref="WebSocket"/> that records each message and holds every send until <see cref="Open"/>.</summary>
internal sealed class GatedWebSocket : WebSocket
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstSend = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The messages sent, in order.</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>Completes when the first send has started (and is held).</summary>
    public Task FirstSend => _firstSend.Task;

    public override WebSocketCloseStatus? CloseStatus => null;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State => WebSocketState.Open;

    public override string? SubProtocol => null;

    /// <summary>Lets every held and later send complete.</summary>
    public void Open() => _gate.TrySetResult();

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        Assert.True(endOfMessage);
        lock (Sent)
        {
            Sent.Add(buffer.ToArray());
        }

        _firstSend.TrySetResult();
        await _gate.Task.WaitAsync(cancellationToken);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<WebSocketReceiveResult>(_ => throw new OperationCanceledException(cancellationToken), TaskScheduler.Default);

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Abort()
    {
    }

    public override void Dispose()
    {
    }
}
