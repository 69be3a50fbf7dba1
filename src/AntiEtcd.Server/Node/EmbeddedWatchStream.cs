using System.Collections.Concurrent;
using System.Threading.Channels;
using AntiEtcd.Api;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The server's in-process watch stream (SPEC §13.2): each watch has its own queue and pump that
/// calls its callback one message at a time, awaiting each call.
/// </summary>
/// <remarks>
/// <see cref="Enqueue"/> runs on the apply loop. A watch whose queue holds more than 64 MiB is
/// canceled with <c>watcher is too slow</c>; a callback that throws cancels its watch.
/// </remarks>
internal sealed class EmbeddedWatchStream(AntiEtcdServer server, ILogger logger) : WatchStream
{
    private readonly ConcurrentDictionary<long, Pump> _pumps = new();
    private readonly Queue<ProgressBarrier> _progress = new();

    /// <summary>The callback of the create being processed (set on the loop just before the hub runs it).</summary>
    public Func<WatchResponse, ValueTask>? PendingCallback { get; set; }

    /// <summary>The create result of the create being processed: the created message, if any.</summary>
    public WatchResponse? LastCreated { get; set; }

    /// <summary>Progress requests, in order, waiting for their reply from the hub. Loop-owned.</summary>
    public Queue<ProgressBarrier> ProgressWaiters => _progress;

    public override bool IsClosed => false;

    public override int MaxMessageBytes => server.Options.MaxRequestBytes;

    // Replay is driven per watch by the pumps; the hub may produce a step whenever asked.
    public override bool IsDrained => true;

    public override bool Enqueue(WatchResponse message)
    {
        if (message.Created)
        {
            LastCreated = message;
            if (!message.Canceled && PendingCallback is { } callback)
            {
                _pumps[message.WatchId] = new Pump(this, message.WatchId, callback);
            }

            return true;
        }

        if (message.WatchId == -1)
        {
            // A progress reply: every watch's events up to its revision are queued before it.
            if (_progress.TryDequeue(out var barrier))
            {
                barrier.Arm(_pumps.Values);
            }

            return true;
        }

        if (!_pumps.TryGetValue(message.WatchId, out var pump))
        {
            return false;
        }

        if (message.Canceled)
        {
            _pumps.TryRemove(message.WatchId, out _);
        }

        return pump.Enqueue(message);
    }

    /// <summary>Stops delivering to a watch (canceled by the client): nothing queued for it reaches the callback any more.</summary>
    public void Forget(long id)
    {
        if (_pumps.TryRemove(id, out var pump))
        {
            pump.Discard();
        }
    }

    /// <summary>Completes every pump (server stop).</summary>
    public void CompleteAll()
    {
        foreach (var pump in _pumps.Values)
        {
            pump.Complete();
        }

        _pumps.Clear();
    }

    private void OnTooSlow(long id) => _ = server.CancelEmbeddedWatchAsync(id, "watcher is too slow");

    private void OnCallbackFailed(long id, Exception ex)
    {
        Log.WatchCallbackFailed(logger, id, ex);
        _pumps.TryRemove(id, out _);
        _ = server.RemoveEmbeddedWatchAsync(id);
    }

    /// <summary>Waits for a progress request's promise: every watch has delivered its events up to R.</summary>
    internal sealed class ProgressBarrier
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining;

        public Task Task => _done.Task;

        public void Arm(ICollection<Pump> pumps)
        {
            _remaining = pumps.Count + 1;
            foreach (var pump in pumps)
            {
                if (!pump.EnqueueBarrier(this))
                {
                    Pass();
                }
            }

            Pass();
        }

        public void Pass()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>One watch's queue and the task that feeds its callback.</summary>
    internal sealed class Pump
    {
        private readonly EmbeddedWatchStream _owner;
        private readonly long _id;
        private readonly Func<WatchResponse, ValueTask> _callback;
        private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        private long _pending;
        private bool _tooSlow;
        private volatile bool _discarded;

        public Pump(EmbeddedWatchStream owner, long id, Func<WatchResponse, ValueTask> callback)
        {
            _owner = owner;
            _id = id;
            _callback = callback;
            _ = Task.Run(RunAsync);
        }

        public bool Enqueue(WatchResponse message)
        {
            // The final cancel always goes through, even after the watch was found too slow.
            if (_tooSlow && !message.Canceled)
            {
                return false;
            }

            if (!message.Canceled && Interlocked.Add(ref _pending, EstimateBytes(message)) > MaxPendingBytes)
            {
                _tooSlow = true;
                _owner.OnTooSlow(_id);
                return false;
            }

            _queue.Writer.TryWrite(message);
            if (message.Canceled)
            {
                _queue.Writer.TryComplete();
            }

            return true;
        }

        public bool EnqueueBarrier(ProgressBarrier barrier) => _queue.Writer.TryWrite(barrier);

        public void Complete() => _queue.Writer.TryComplete();

        /// <summary>
        /// Completes the queue and drops what it still holds: after CancelWatchAsync returns, no call may start, as no
        /// message follows a client's cancel on a WebSocket (SPEC §7.4). A call already running finishes.
        /// </summary>
        public void Discard()
        {
            _discarded = true;
            _queue.Writer.TryComplete();
        }

        private async Task RunAsync()
        {
            await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (item is ProgressBarrier barrier)
                {
                    barrier.Pass();
                    continue;
                }

                var message = (WatchResponse)item;
                Interlocked.Add(ref _pending, -EstimateBytes(message));
                if (_discarded)
                {
                    continue;
                }

                try
                {
                    await _callback(message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _owner.OnCallbackFailed(_id, ex);
                    _queue.Writer.TryComplete();
                    // Release any progress waiter behind us.
                    while (_queue.Reader.TryRead(out var rest))
                    {
                        (rest as ProgressBarrier)?.Pass();
                    }

                    return;
                }
            }
        }
    }
}
