using System.Diagnostics.Metrics;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server.Metrics;

/// <summary>
/// The node's instruments (SPEC §6.3) on a <see cref="Meter"/> named <c>AntiEtcd.Server</c>, so
/// that a host may also collect them with OpenTelemetry; <c>/metrics</c> exports them through
/// <see cref="PrometheusExporter"/>.
/// </summary>
/// <remarks>Thread-safe: instruments may be recorded from any thread.</remarks>
internal sealed class ServerMetrics : IDisposable
{
    private static readonly string[] s_statusCodes = CreateStatusCodes();
    private readonly Meter _meter;
    private readonly Counter<long> _httpRequests;
    private readonly Histogram<double> _httpDuration;
    private readonly Counter<long> _leaderChanges;
    private readonly PrometheusExporter _exporter;
    private string? _lastLeader;

    public ServerMetrics(AntiEtcdServer server)
    {
        _meter = new Meter("AntiEtcd.Server", AntiEtcdServer.ProductVersion);
        _httpRequests = _meter.CreateCounter<long>("antietcd_http_requests_total", description: "HTTP requests by API and status code.");
        _httpDuration = _meter.CreateHistogram<double>("antietcd_http_request_duration_seconds", "s", "HTTP request latency by API.");
        _leaderChanges = _meter.CreateCounter<long>("antietcd_server_leader_changes_seen_total", description: "Leader changes seen by this node.");
        ProposalsCommitted = _meter.CreateCounter<long>("antietcd_server_proposals_committed_total", description: "Writes committed and applied.");
        ProposalsFailed = _meter.CreateCounter<long>("antietcd_server_proposals_failed_total", description: "Writes that failed.");
        WalFsyncDuration = _meter.CreateHistogram<double>("antietcd_wal_fsync_duration_seconds", "s", "WAL fsync latency.");
        _meter.CreateObservableGauge("antietcd_server_has_leader", () => server.RaftState.LeaderNodeId is null ? 0 : 1, description: "1 when a leader is known.");
        _meter.CreateObservableGauge("antietcd_server_is_leader", () => server.RaftState.Role == RaftRole.Leader ? 1 : 0, description: "1 on the leader.");
        _meter.CreateObservableGauge("antietcd_raft_term", () => (long)server.RaftState.Term, description: "Current Raft term.");
        _meter.CreateObservableGauge("antietcd_raft_commit_index", () => server.CommitIndex, description: "Raft commit index.");
        _meter.CreateObservableGauge("antietcd_raft_applied_index", () => (long)server.Applied.AppliedIndex, description: "Last applied index.");
        _meter.CreateObservableGauge("antietcd_mvcc_revision", () => server.Applied.Revision, description: "Store revision.");
        _meter.CreateObservableGauge("antietcd_mvcc_compact_revision", () => server.Applied.CompactRevision, description: "Compact revision.");
        _meter.CreateObservableGauge("antietcd_mvcc_keys", () => server.Applied.KeyCount, description: "Live keys.");
        _meter.CreateObservableGauge("antietcd_lease_count", () => (long)server.Applied.LeaseCount, description: "Leases.");
        _meter.CreateObservableGauge("antietcd_watch_connections", () => (long)server.Sessions.Count, description: "Open watch WebSockets.");
        _meter.CreateObservableGauge("antietcd_watchers", () => (long)server.WatcherCount, description: "Active watches.");
        _meter.CreateObservableGauge("antietcd_db_size_bytes", () => server.Applied.SizeBytes, description: "Storage size, or estimated state size in memory.");
        _meter.CreateObservableGauge("antietcd_peer_connected", () => PerPeer(server, static p => p.Connected ? 1 : 0), description: "1 when this node's connection to the peer is authenticated, else 0.");
        _meter.CreateObservableCounter("antietcd_peer_sent_messages_total", () => PerPeer(server, static p => p.Counters.MessagesSent), description: "Raft messages sent to the peer.");
        _meter.CreateObservableCounter("antietcd_peer_sent_frames_total", () => PerPeer(server, static p => p.Counters.FramesSent), description: "Frames (Raft batches, chunks, forwarded requests and replies) sent to the peer.");
        _meter.CreateObservableCounter("antietcd_peer_dropped_messages_total", () => PerPeer(server, static p => p.Counters.MessagesDropped), description: "Raft messages to the peer dropped by its full send queue.");
        _meter.CreateObservableCounter("antietcd_peer_received_messages_total", () => PerPeer(server, static p => p.Counters.MessagesReceived), description: "Raft messages received from the peer.");
        _meter.CreateObservableCounter("antietcd_peer_received_frames_total", () => PerPeer(server, static p => p.Counters.FramesReceived), description: "Frames received from the peer.");
        _exporter = new PrometheusExporter(_meter);
    }

    private static IEnumerable<Measurement<long>> PerPeer(AntiEtcdServer server, Func<Cluster.PeerReport, long> value)
    {
        foreach (var peer in server.PeerReports())
        {
            yield return new Measurement<long>(value(peer), new KeyValuePair<string, object?>("peer", peer.Name));
        }
    }

    /// <summary>Writes committed and applied.</summary>
    public Counter<long> ProposalsCommitted { get; }

    /// <summary>Writes that failed.</summary>
    public Counter<long> ProposalsFailed { get; }

    /// <summary>WAL fsync latency, in seconds.</summary>
    public Histogram<double> WalFsyncDuration { get; }

    /// <summary>Counts one HTTP request; <paramref name="api"/> takes only the bounded values of SPEC §6.3.</summary>
    public void RecordHttpRequest(string api, int status, TimeSpan elapsed)
    {
        var code = (uint)status < s_statusCodes.Length ? s_statusCodes[status] : "other";
        _httpRequests.Add(1, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("code", code));
        _httpDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("api", api));
    }

    /// <summary>Notes a Raft state change (counts leader changes).</summary>
    public void OnRaftState(RaftStateInfo state)
    {
        if (state.LeaderNodeId is not null && state.LeaderNodeId != _lastLeader)
        {
            _leaderChanges.Add(1);
        }

        _lastLeader = state.LeaderNodeId;
    }

    /// <summary>Writes the Prometheus text exposition (format 0.0.4).</summary>
    public void WritePrometheus(PooledBufferWriter output) => _exporter.Write(output);

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    private static string[] CreateStatusCodes()
    {
        var codes = new string[600];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return codes;
    }
}
