using System.Buffers;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>
/// Every watch of the node. It runs on the apply loop, next to the store, so that a watch is
/// registered, replayed and fed live events at exact revisions: nothing can slip between its
/// replay and its first live event (SPEC §7.4, §7.5).
/// </summary>
/// <remarks>
/// Loop-owned: every method must be called on the apply loop. Live events go only to watches that
/// have caught up; replaying watches are advanced by <see cref="Replay"/> as their stream drains,
/// so replay alone never fills a send queue (etcd's synced and unsynced watcher groups).
/// </remarks>
internal sealed class WatchHub(Func<ResponseHeader> headerFactory)
{
    /// <summary>At most this many events of history are read per replay step (whole revisions).</summary>
    private const int ReplayBatchEvents = 1000;

    /// <summary>
    /// At most this many bytes of messages (by <see cref="WatchStream.EstimateBytes"/>, plus one revision) are queued
    /// per replay step, for all the stream's watches together. A step runs only once the queue has drained, so replay
    /// alone stays far below the 64 MiB slow-client limit (SPEC §7.4); the event bound alone did not, with large values.
    /// </summary>
    private const long ReplayBatchBytes = 4L * 1024 * 1024;

    private const string CompactedReason = "etcdserver: mvcc: required revision has been compacted";

    /// <summary>The length of <c>,"events":[</c> and <c>]</c>, which a message with events has and one without has not.</summary>
    private const int EventsArrayBytes = 12;

    private readonly List<Watcher> _watchers = [];

    // Scratch space for measuring messages of fragmenting watches; loop-owned like the rest.
    private readonly ArrayBufferWriter<byte> _measure = new();
    private long _lastRevision = -1;
    private long _lastCompact = -1;

    /// <summary>Active watches, for metrics.</summary>
    public int Count => _watchers.Count;

    /// <summary>A header with this node's identity and the store's current revision.</summary>
    public ResponseHeader Header(MvccStore store)
    {
        var header = headerFactory();
        header.Revision = store.Revision;
        return header;
    }

    /// <summary>Creates a watch (SPEC §7.4). Returns null on success, or the cancel_reason of a create failure (already sent).</summary>
    public string? Create(MvccStore store, WatchStream stream, WatchCreateRequest request, int maxWatches)
    {
        Sync(store);
        var failure = request.WatchId < 0 ? "invalid watch_id"
            : request.StartRevision < 0 ? "invalid start_revision"
            : request.WatchId > 0 && stream.Watchers.ContainsKey(request.WatchId) ? "mvcc: duplicate watch ID provided on the WatchStream"
            : IsEmptyRange(request) ? "mvcc: watcher range is empty"
            : stream.Watchers.Count >= maxWatches ? "too many watches on this connection"
            : null;
        if (failure is not null)
        {
            Fail(store, stream, failure);
            return failure;
        }

        var id = request.WatchId;
        if (id == 0)
        {
            while (stream.Watchers.ContainsKey(stream.NextAutoId))
            {
                stream.NextAutoId++;
            }

            id = stream.NextAutoId++;
        }

        var header = Header(store);
        stream.Enqueue(new WatchResponse { Header = header, WatchId = id, Created = true });
        if (request.StartRevision > 0 && request.StartRevision < store.CompactRevision)
        {
            stream.Enqueue(Compacted(store, id));
            return null;
        }

        var watcher = new Watcher(stream, id, request)
        {
            NextRevision = request.StartRevision > 0 ? request.StartRevision : store.Revision + 1,
        };
        watcher.Replaying = watcher.NextRevision <= store.Revision;
        stream.Watchers.Add(id, watcher);
        _watchers.Add(watcher);
        if (watcher.Replaying)
        {
            stream.HasReplaying = true;
            if (stream.IsDrained)
            {
                Replay(store, stream);
            }
        }

        return null;
    }

    /// <summary>Sends the create-failed message for a request that could not be decoded or was refused.</summary>
    public void Fail(MvccStore store, WatchStream stream, string reason) =>
        stream.Enqueue(new WatchResponse { Header = Header(store), WatchId = -1, Created = true, Canceled = true, CancelReason = reason });

    /// <summary>Cancels a watch at the client's request; false for an unknown ID (no reply).</summary>
    public bool Cancel(MvccStore store, WatchStream stream, long id)
    {
        if (!stream.Watchers.Remove(id, out var watcher))
        {
            return false;
        }

        _watchers.Remove(watcher);
        stream.Enqueue(new WatchResponse { Header = Header(store), WatchId = id, Canceled = true });
        AnswerProgress(store, stream);
        return true;
    }

    /// <summary>Cancels a watch with a reason chosen by the server (e.g. too slow); sends the final message.</summary>
    public void CancelWithReason(MvccStore store, WatchStream stream, long id, string reason)
    {
        if (stream.Watchers.Remove(id, out var watcher))
        {
            _watchers.Remove(watcher);
            stream.Enqueue(new WatchResponse { Header = Header(store), WatchId = id, Canceled = true, CancelReason = reason });
        }
    }

    /// <summary>
    /// The whole state was replaced by a snapshot (SPEC §8.3): no watch can be continued gaplessly, so each is cancelled
    /// with the compacted message carrying the new store's <c>compact_revision</c>; clients resume from there.
    /// </summary>
    public void CancelAll(MvccStore store)
    {
        foreach (var watcher in _watchers)
        {
            watcher.Stream.Watchers.Remove(watcher.Id);
            watcher.Stream.Enqueue(Compacted(store, watcher.Id));
        }

        _watchers.Clear();
        _lastRevision = store.Revision;
        _lastCompact = store.CompactRevision;
    }

    /// <summary>Drops every watch of a closed stream, without messages.</summary>
    public void Close(WatchStream stream)
    {
        foreach (var watcher in stream.Watchers.Values)
        {
            _watchers.Remove(watcher);
        }

        stream.Watchers.Clear();
        stream.PendingProgress.Clear();
    }

    /// <summary>A progress request (SPEC §7.4): answered once every watch of the stream has sent all events ≤ R.</summary>
    public long RequestProgress(MvccStore store, WatchStream stream)
    {
        Sync(store);
        stream.PendingProgress.Enqueue(store.Revision);
        AnswerProgress(store, stream);
        return store.Revision;
    }

    /// <summary>
    /// Called after every operation on the loop: delivers the events of a new revision to caught-up
    /// watches and cancels replaying watches overtaken by a compaction.
    /// </summary>
    public void Sync(MvccStore store)
    {
        if (store.CompactRevision != _lastCompact)
        {
            _lastCompact = store.CompactRevision;
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                var watcher = _watchers[i];
                if (watcher.Replaying && watcher.NextRevision < store.CompactRevision)
                {
                    _watchers.RemoveAt(i);
                    watcher.Stream.Watchers.Remove(watcher.Id);
                    watcher.Stream.Enqueue(Compacted(store, watcher.Id));
                }
            }
        }

        if (store.Revision == _lastRevision)
        {
            return;
        }

        _lastRevision = store.Revision;
        var events = store.LastEvents;
        if (events.Count == 0 || _watchers.Count == 0)
        {
            return;
        }

        var revision = events[0].Kv.ModRevision;
        ResponseHeader? header = null;
        Event[]? withoutPrev = null;
        for (var i = 0; i < _watchers.Count; i++)
        {
            var watcher = _watchers[i];
            if (watcher.Replaying || watcher.NextRevision > revision || watcher.Stream.IsClosed)
            {
                continue;
            }

            watcher.NextRevision = revision + 1;
            List<Event>? matched = null;
            for (var j = 0; j < events.Count; j++)
            {
                var e = events[j];
                if (!watcher.Wants(e))
                {
                    continue;
                }

                if (!watcher.PrevKv && e.PrevKv is not null)
                {
                    withoutPrev ??= new Event[events.Count];
                    e = withoutPrev[j] ??= new Event { Type = e.Type, Kv = e.Kv };
                }

                (matched ??= []).Add(e);
            }

            if (matched is not null)
            {
                header ??= Header(store);
                Send(watcher, header, matched);
            }
        }
    }

    /// <summary>Advances the replaying watches of a drained stream by one bounded step of history.</summary>
    public void Replay(MvccStore store, WatchStream stream)
    {
        Sync(store);
        var budget = ReplayBatchBytes;
        foreach (var watcher in stream.Watchers.Values.ToArray())
        {
            if (!watcher.Replaying)
            {
                continue;
            }

            if (budget <= 0)
            {
                // The others replay in the next step, once the queue has drained again.
                break;
            }

            if (!store.TryGetHistory(watcher.NextRevision, ReplayBatchEvents, out var history))
            {
                stream.Watchers.Remove(watcher.Id);
                _watchers.Remove(watcher);
                stream.Enqueue(Compacted(store, watcher.Id));
                continue;
            }

            var header = Header(store);
            var i = 0;
            while (i < history.Count && budget > 0)
            {
                var revision = history[i].Kv.ModRevision;
                var matched = new List<Event>();
                for (; i < history.Count && history[i].Kv.ModRevision == revision; i++)
                {
                    var e = history[i];
                    if (watcher.Wants(e))
                    {
                        matched.Add(watcher.PrevKv || e.PrevKv is null ? e : new Event { Type = e.Type, Kv = e.Kv });
                    }
                }

                if (matched.Count > 0)
                {
                    budget -= WatchStream.EstimateBytes(new WatchResponse { Events = matched });
                    Send(watcher, header, matched);
                }

                watcher.NextRevision = revision + 1;
            }

            if ((i == history.Count && history.Count < ReplayBatchEvents) || watcher.NextRevision > store.Revision)
            {
                // Caught up: every revision ≤ the store's has been delivered.
                watcher.NextRevision = Math.Max(watcher.NextRevision, store.Revision + 1);
                watcher.Replaying = false;
            }
        }

        stream.HasReplaying = NeedsReplay(stream);
        AnswerProgress(store, stream);
    }

    /// <summary>Drops one watch without a message (its in-process callback failed).</summary>
    public void Remove(WatchStream stream, long id)
    {
        if (stream.Watchers.Remove(id, out var watcher))
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>True when some watch of the stream still has history to replay.</summary>
    public static bool NeedsReplay(WatchStream stream)
    {
        foreach (var watcher in stream.Watchers.Values)
        {
            if (watcher.Replaying)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>progress_notify (SPEC §7.4): a notification to each such watch that sent nothing since the last tick.</summary>
    public void NotifyProgress(MvccStore store)
    {
        Sync(store);
        ResponseHeader? header = null;
        foreach (var watcher in _watchers)
        {
            if (watcher.ProgressNotify && !watcher.Replaying && !watcher.SentSinceTick)
            {
                header ??= Header(store);
                watcher.Stream.Enqueue(new WatchResponse { Header = header, WatchId = watcher.Id });
            }

            watcher.SentSinceTick = false;
        }
    }

    private static bool IsEmptyRange(WatchCreateRequest request)
    {
        var end = request.RangeEnd.Span;
        return !end.IsEmpty && !(end.Length == 1 && end[0] == 0) && end.SequenceCompareTo(request.Key.Span) <= 0;
    }

    private WatchResponse Compacted(MvccStore store, long id) =>
        new() { Header = Header(store), WatchId = id, Canceled = true, CompactRevision = store.CompactRevision, CancelReason = CompactedReason };

    /// <summary>Queues the events of one revision, split into fragments when the watch asked for them.</summary>
    /// <remarks>
    /// A fragmenting watch is measured by its exact JSON, not by <see cref="WatchStream.EstimateBytes"/>: the estimate
    /// is for queue accounting and can be a third too small (long lease IDs, prev_kv), which let fragments of
    /// several events exceed <c>max_request_bytes</c> (SPEC §7.4 "Fragmentation"). Only watches created with
    /// <c>fragment: true</c> pay for this.
    /// </remarks>
    private void Send(Watcher watcher, ResponseHeader header, List<Event> events)
    {
        watcher.SentSinceTick = true;
        var stream = watcher.Stream;
        var limit = stream.MaxMessageBytes;
        var message = new WatchResponse { Header = header, WatchId = watcher.Id, Events = events };
        if (!watcher.Fragment || events.Count == 1 || JsonBytes(message) <= limit)
        {
            stream.Enqueue(message);
            return;
        }

        // A part is its envelope (header, watch_id, "fragment":true, the events array) plus its events and the
        // commas between them; the last part has no "fragment":true, so this bounds it too.
        var envelope = JsonBytes(new WatchResponse { Header = header, WatchId = watcher.Id, Fragment = true }) + EventsArrayBytes;
        var bare = JsonBytes(new WatchResponse()) + EventsArrayBytes;
        var eventBytes = new int[events.Count];
        for (var e = 0; e < events.Count; e++)
        {
            eventBytes[e] = JsonBytes(new WatchResponse { Events = [events[e]] }) - bare;
        }

        var start = 0;
        while (start < events.Count)
        {
            var part = new List<Event> { events[start] };
            var size = envelope + eventBytes[start];
            var next = start + 1;
            while (next < events.Count)
            {
                var candidate = 1 + eventBytes[next];
                if (size + candidate > limit)
                {
                    break;
                }

                part.Add(events[next]);
                size += candidate;
                next++;
            }

            stream.Enqueue(new WatchResponse { Header = header, WatchId = watcher.Id, Events = part, Fragment = next < events.Count });
            start = next;
        }
    }

    /// <summary>The exact length of a message as the WebSocket sends it.</summary>
    private int JsonBytes(WatchResponse message)
    {
        _measure.ResetWrittenCount();
        using (var writer = ApiJsonWriter.CreateWriter(_measure))
        {
            ApiJsonWriter.WriteWatchResult(writer, message);
        }

        return _measure.WrittenCount;
    }

    /// <summary>Answers the stream's pending progress requests whose promise now holds.</summary>
    private void AnswerProgress(MvccStore store, WatchStream stream)
    {
        while (stream.PendingProgress.TryPeek(out var revision))
        {
            foreach (var watcher in stream.Watchers.Values)
            {
                if (watcher.Replaying && watcher.NextRevision <= revision)
                {
                    return;
                }
            }

            stream.PendingProgress.Dequeue();
            var header = Header(store);
            header.Revision = revision;
            stream.Enqueue(new WatchResponse { Header = header, WatchId = -1 });
        }
    }
}
