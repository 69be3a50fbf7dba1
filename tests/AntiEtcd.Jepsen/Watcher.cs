using System.Net.WebSockets;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using AntiEtcd.Client;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// One watcher of the watch workload: a prefix watch over WebSocket that reconnects (to the next node)
/// after any disconnect and resumes from the last revision it knows complete + 1, recording every event.
/// </summary>
/// <remarks>
/// The completeness mark (<see cref="EndRevision"/>) moves with the last event's revision and with
/// progress replies: a progress request is sent every 500 ms, and its reply promises every event up to
/// its header revision was sent before it (SPEC §7). Only the run loop touches the state; the
/// finishing phase reads it after the loop ended.
/// </remarks>
internal sealed class Watcher
{
    private readonly int _client;
    private readonly string _prefix;
    private readonly List<WatchEvent> _events = [];
    private long _endRevision;
    private long _target = long.MaxValue;

    public Watcher(int client, string prefix, long startRevision)
    {
        _client = client;
        _prefix = prefix;
        StartRevision = startRevision;
        _endRevision = startRevision - 1;
    }

    public long StartRevision { get; }

    public long EndRevision => Interlocked.Read(ref _endRevision);

    public bool Compacted { get; private set; }

    public int Reconnects { get; private set; }

    /// <summary>Ends the run loop once <see cref="EndRevision"/> reaches <paramref name="revision"/>.</summary>
    public void FinishAt(long revision) => Interlocked.Exchange(ref _target, revision);

    public WatchRecord ToRecord() => new(_client, _prefix, StartRevision, [.. _events], EndRevision, Compacted);

    public async Task RunAsync(AntiEtcdClient client, CancellationToken cancellationToken)
    {
        var endpoints = client.Endpoints;
        int index = 0;
        while (!cancellationToken.IsCancellationRequested && !Compacted && EndRevision < Interlocked.Read(ref _target))
        {
            try
            {
                await using var connection = await WatchConnection.ConnectAsync(client, endpoints[index], cancellationToken);
                await ServeAsync(connection, cancellationToken);
            }
            catch (Exception ex) when (ex is AntiEtcdClientException or WebSocketException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException or HttpRequestException or FormatException or System.Text.Json.JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Disconnected: move on to the next node and resume.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (Compacted || EndRevision >= Interlocked.Read(ref _target))
            {
                return;
            }

            Reconnects++;
            index = (index + 1) % endpoints.Count;
            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task ServeAsync(WatchConnection connection, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(_prefix);
        var end = (byte[])prefix.Clone();
        end[^1]++;
        var create = new WatchCreateRequest { Key = prefix, RangeEnd = end, StartRevision = EndRevision + 1 };
        await connection.SendAsync(ApiJsonWriter.ToUtf8Bytes(create, ApiRequestWriter.WriteWatchCreate), cancellationToken);
        using var stopTicker = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ticker = TickProgressAsync(connection, stopTicker.Token);
        try
        {
            while (true)
            {
                var json = await connection.ReceiveAsync(cancellationToken);
                if (json is null)
                {
                    return;
                }

                var response = ApiResponseReader.ReadWatchMessage(json);
                if (response is null)
                {
                    continue;
                }

                if (response.Canceled)
                {
                    if (response.CompactRevision != 0)
                    {
                        Compacted = true;
                    }

                    // Not ready / not leader / any other cancel: reconnect elsewhere and resume.
                    return;
                }

                if (response.Created)
                {
                    continue;
                }

                if (response.Events.Count > 0)
                {
                    foreach (var e in response.Events)
                    {
                        string? value = e.Type == EventType.Delete ? null : Encoding.UTF8.GetString(e.Kv.Value.Span);
                        _events.Add(new WatchEvent(Encoding.UTF8.GetString(e.Kv.Key.Span), value, e.Kv.ModRevision));
                    }

                    long last = response.Events[^1].Kv.ModRevision;
                    Advance(response.Fragment ? last - 1 : last);
                }
                else
                {
                    Advance(response.Header.Revision);
                }

                if (EndRevision >= Interlocked.Read(ref _target))
                {
                    return;
                }
            }
        }
        finally
        {
            await stopTicker.CancelAsync();
            await ticker;
        }
    }

    private void Advance(long revision)
    {
        if (revision > EndRevision)
        {
            Interlocked.Exchange(ref _endRevision, revision);
        }
    }

    private static async Task TickProgressAsync(WatchConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(500, cancellationToken);
                await connection.SendAsync(ApiJsonWriter.ToUtf8Bytes(0, static (writer, _) => ApiRequestWriter.WriteWatchProgress(writer)), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The connection ended; the receive loop reconnects.
        }
    }
}
