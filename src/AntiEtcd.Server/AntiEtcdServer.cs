using System.Reflection;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Metrics;
using AntiEtcd.Server.Node;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiEtcd.Server;

/// <summary>
/// One AntiEtcd node, embeddable in any .NET process: the etcd v3 JSON gateway over HTTP plus
/// the same API as typed C# calls (SPEC §13).
/// </summary>
/// <remarks>
/// All members are thread-safe. Every call follows the same validation and errors as the
/// matching HTTP request and throws <see cref="AntiEtcdRequestException"/> on failure. The typed
/// calls do not keep references to the caller's buffers after they return.
/// </remarks>
public sealed partial class AntiEtcdServer : IAsyncDisposable
{
    private readonly AntiEtcdOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private MvccStore _store = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lifecycleLock = new();
    private ApplyLoop? _applyLoop;
    private HttpFrontend? _frontend;
    private readonly CancellationTokenSource _lifetime = new();
    private Task? _stopTask;
    private Task? _leaseExpiry;
    private Task? _progressNotify;
    private int _started;
    private volatile bool _stopping;
    private int _clientRequests;
    private TaskCompletionSource? _clientRequestsDrained;

    /// <summary>Creates a node; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The options (SPEC §11.2); validated here.</param>
    /// <param name="loggerFactory">Where logs go; none by default.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">An invalid option; the message names it.</exception>
    public AntiEtcdServer(AntiEtcdOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("AntiEtcd.Server");
        _time = time ?? TimeProvider.System;
        NodeId = options.NodeId;
        MemberId = NodeIdentity.MemberId(NodeId);
        ClusterId = NodeIdentity.ClusterId(options.Cluster?.Keys ?? (IEnumerable<string>)[NodeId]);
        Metrics = new ServerMetrics(this);
    }

    /// <summary>The product version, as reported by status and <c>--version</c>.</summary>
    public static string ProductVersion { get; } =
        "antietcd-dotnet " + (typeof(AntiEtcdServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>This node's name.</summary>
    public string NodeId { get; }

    /// <summary>This node's etcd member ID (SPEC §8.1).</summary>
    public ulong MemberId { get; }

    /// <summary>The cluster's etcd cluster ID (SPEC §8.1).</summary>
    public ulong ClusterId { get; }

    /// <summary>The port the listener is bound to, after <see cref="StartAsync"/> (useful with port 0).</summary>
    public int LocalPort => _frontend?.LocalPort ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>The same data as the last <see cref="RaftStateChanged"/> event.</summary>
    public RaftStateInfo RaftState { get; private set; } = new(RaftRole.Follower, 0, null, []);

    /// <summary>Raised when the role, term, leader or follower set changes; handlers run one at a time, not on the Raft thread.</summary>
    public event EventHandler<RaftStateChangedEventArgs>? RaftStateChanged;

    /// <summary>Completes when the server has stopped; faults if it failed (SPEC §13.3).</summary>
    public Task Completion => _completion.Task;

    /// <summary>The options the server runs with.</summary>
    internal AntiEtcdOptions Options => _options;

    /// <summary>The server's metric instruments.</summary>
    internal ServerMetrics Metrics { get; }

    /// <summary>The logger factory the server logs to.</summary>
    internal ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>The clock.</summary>
    internal TimeProvider Time => _time;

    /// <summary>True once a stop has begun: new requests get 502.</summary>
    internal bool IsStopping => _stopping;

    /// <summary>The store summary after the last applied operation.</summary>
    internal AppliedState Applied => _applyLoop?.State ?? new AppliedState(1, 0, 0, 0, 0, 0);

    /// <summary>
    /// Starts the node: binds the listener (SPEC §13.3). Throws on any start failure and leaves
    /// nothing running. Can be called once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("StartAsync can be called once.");
        }

        HttpFrontend? frontend = null;
        try
        {
            ulong applied = 0;
            InitPersistFilter();
            if (IsClusterMode)
            {
                (_store, applied) = await OpenClusterAsync(cancellationToken).ConfigureAwait(false);
                _lastSnapshotIndex = applied;
            }
            else if (_options.Data is { } data)
            {
                (_store, applied) = await RecoverOffThreadAsync(() => OpenStorage(data), cancellationToken).ConfigureAwait(false);
            }

            PrepareImport();
            await InitAuthFilterAsync(cancellationToken).ConfigureAwait(false);
            _applyLoop = new ApplyLoop(_store, applied, AfterOperation, _wal, IsClusterMode ? AfterClusterWrite : AfterWrite, OnStorageFailure);
            await VolatileResetIfIncompleteAsync(cancellationToken).ConfigureAwait(false);
            frontend = new HttpFrontend(this);
            await frontend.StartAsync(cancellationToken).ConfigureAwait(false);
            if (IsClusterMode)
            {
                await StartClusterAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _stopping = true;
            if (frontend is not null)
            {
                await frontend.DisposeAsync().ConfigureAwait(false);
            }

            await StopClusterAsync().ConfigureAwait(false);
            if (_applyLoop is not null)
            {
                await _applyLoop.StopAsync().ConfigureAwait(false);
            }

            await CloseStorageAsync().ConfigureAwait(false);
            await CloseRaftStorageAsync().ConfigureAwait(false);
            _completion.TrySetResult();
            throw;
        }

        _frontend = frontend;
        _leaseExpiry = RunLeaseExpiryAsync(_lifetime.Token);
        _progressNotify = RunProgressNotifyAsync(_lifetime.Token);
        if (!IsClusterMode)
        {
            // A one-node cluster elects itself at once (SPEC §8.2) and leads term 1.
            SetRaftState(new RaftStateInfo(RaftRole.Leader, 1, NodeId, [NodeId]));
        }

        Log.Started(_logger, NodeId, _options.Listen.Ip, frontend.LocalPort);
        // Not awaited (SPEC §13.3 step 3): client requests wait for the outcome instead.
        StartImport();
    }

    /// <summary>
    /// Stops the node gracefully (SPEC §13.3): closes the listener, lets requests in flight finish
    /// for up to <c>replication_timeout</c>, then completes <see cref="Completion"/>. A second call
    /// waits for the first.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for requests in flight.</param>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycleLock)
        {
            _stopping = true;
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    /// <summary>Stops the server (<see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TransferLeadershipOnStopAsync().ConfigureAwait(false);
            await CloseSessionsAsync().ConfigureAwait(false);
            if (_frontend is not null)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.ReplicationTimeout), _time);
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                await StopFrontendAsync(_frontend, drain.Token).ConfigureAwait(false);
                await _frontend.DisposeAsync().ConfigureAwait(false);
            }

            await _lifetime.CancelAsync().ConfigureAwait(false);
            foreach (var background in new[] { _leaseExpiry, _progressNotify })
            {
                if (background is not null)
                {
                    await background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            await StopClusterAsync().ConfigureAwait(false);
            if (_applyLoop is not null)
            {
                await _applyLoop.StopAsync().ConfigureAwait(false);
            }

            await CloseStorageAsync().ConfigureAwait(false);
            await CloseRaftStorageAsync().ConfigureAwait(false);
            _lifetime.Dispose();

            Metrics.Dispose();
            Log.Stopped(_logger, NodeId);
            if (Volatile.Read(ref _failureCause) is { } cause)
            {
                _completion.TrySetException(cause);
            }
            else
            {
                _completion.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            _completion.TrySetException(ex);
            throw;
        }
    }

    /// <summary>The leader's expiry check (SPEC §8.6): every 500 ms, revoke what has expired.</summary>
    private async Task RunLeaseExpiryAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), _time, cancellationToken).ConfigureAwait(false);
                await RevokeExpiredLeasesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.LeaseExpiryFailed(_logger, ex);
            }
        }
    }

    private void SetRaftState(RaftStateInfo state)
    {
        RaftState = state;
        Metrics.OnRaftState(state);
        var handler = RaftStateChanged;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new RaftStateChangedEventArgs(state));
        }
        catch (Exception ex)
        {
            Log.EventHandlerFailed(_logger, ex);
        }
    }

    /// <summary>A client HTTP request (not a peer connection) began.</summary>
    internal void ClientRequestStarted() => Interlocked.Increment(ref _clientRequests);

    /// <summary>A client HTTP request ended; the last one during a stop lets the drain finish.</summary>
    internal void ClientRequestFinished()
    {
        if (Interlocked.Decrement(ref _clientRequests) == 0 && _stopping)
        {
            Volatile.Read(ref _clientRequestsDrained)?.TrySetResult();
        }
    }

    /// <summary>
    /// Stops the listener: waits for client requests in flight (up to the token), then ends whatever is left, peer
    /// connections included, which would otherwise hold the drain until its deadline.
    /// </summary>
    private async Task StopFrontendAsync(HttpFrontend frontend, CancellationToken drain)
    {
        using var cutOff = CancellationTokenSource.CreateLinkedTokenSource(drain);
        var stop = frontend.StopAsync(cutOff.Token);
        if (IsClusterMode)
        {
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _clientRequestsDrained, drained);
            if (Volatile.Read(ref _clientRequests) == 0)
            {
                drained.TrySetResult();
            }

            await drained.Task.WaitAsync(drain).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // The peer connections (incoming ones are requests on this listener) end here, with 1001 to every peer.
            if (_transport is not null)
            {
                await _transport.DisposeAsync().ConfigureAwait(false);
            }

            await cutOff.CancelAsync().ConfigureAwait(false);
        }

        await stop.ConfigureAwait(false);
    }

    private void ThrowIfStopping()
    {
        if (_stopping || _applyLoop is null)
        {
            throw EtcdErrors.Stopping();
        }
    }

    private void FillHeader(ResponseHeader header)
    {
        header.ClusterId = ClusterId;
        header.MemberId = MemberId;
        header.RaftTerm = _raft?.Status.Term ?? RaftState.Term;
    }

    private ApplyLoop Loop => _applyLoop ?? throw EtcdErrors.Stopping();
}
