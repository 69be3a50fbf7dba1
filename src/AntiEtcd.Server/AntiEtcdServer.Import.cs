using AntiEtcd.Api;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server;

/// <summary><c>--import_antietcd</c>: migration from an original antietcd data file (SPEC §9.6).</summary>
/// <remarks>
/// <para>The import is one logged <see cref="CommandType.Import"/> entry carrying the whole file,
/// proposed through <see cref="ProposeCoreAsync"/> like any write, so that WAL replay decides its
/// outcome exactly as the first apply did. A one-node cluster is its own leader from the start, so
/// the entry is proposed as soon as the listener is up.</para>
/// <para>With <c>--data</c> the import is attempted only on the start that creates the directory:
/// the durable flag <see cref="ImportPendingFlag"/> is set first and cleared on the apply loop
/// right after the entry is applied, before any snapshot can cover it. A start that stopped in
/// between (an unreadable file, a crash) sees the flag and attempts the import again; if its WAL
/// replay already applied the entry, that outcome stands and nothing is proposed.</para>
/// <para>Until the outcome is known no client request runs (SPEC §8.4): every request kind waits at
/// <see cref="WaitForImportAsync"/>, up to <c>wait_quorum_timeout</c>, then gets U3.</para>
/// </remarks>
public sealed partial class AntiEtcdServer
{
    /// <summary>The data directory flag that records an import not yet applied.</summary>
    internal const string ImportPendingFlag = "import-pending";

    /// <summary>The failure cause when a skipped import stops a node with <c>--data</c>.</summary>
    internal const string ImportSkippedMessage = "import_antietcd: skipped, the cluster is not empty";

    private const string NotReadyMessage = "etcdserver: not ready (request not executed, safe to retry)";

    // status importState: "" (no import attempted on this start), "pending", "applied" or "skipped".
    private string _importState = "";

    // Completed (never faulted) when the outcome is known; null whenever no import is pending.
    private TaskCompletionSource? _importGate;

    // The import entry to propose once the listener is up.
    private Command? _importCommand;

    // The outcome of an import entry that WAL replay applied at this start (set by recovery).
    private ImportOutcome? _replayedImport;

    // The outcome to report at start when replay already applied the pending import.
    private ImportOutcome? _recoveredImport;

    /// <summary>The import state for status (SPEC §6.1): empty when no import was attempted on this start.</summary>
    internal string ImportState => Volatile.Read(ref _importState);

    /// <summary>
    /// Tests only: runs on the recovered store just before the import is decided, so that a test
    /// can make an in-memory store non-empty (which a real one-node start never is).
    /// </summary>
    internal Action<Mvcc.MvccStore>? BeforeImportForTesting { get; set; }

    /// <summary>
    /// Decides whether this start imports (SPEC §9.6) and reads the file if so. Runs after storage
    /// is recovered and before the apply loop starts. Sets the import pending: from here on, client
    /// requests wait for the outcome.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read or parsed; the message names it.</exception>
    private void PrepareImport()
    {
        if (_options.ImportAntietcd is not { } path)
        {
            return;
        }

        BeforeImportForTesting?.Invoke(_store);

        if (_dataDirectory is { } directory)
        {
            if (directory.IsNew)
            {
                // Before reading the file: a start that fails on it leaves the import pending, so
                // the next start (with the file fixed) attempts it again.
                directory.SetFlag(ImportPendingFlag);
            }
            else if (!directory.HasFlag(ImportPendingFlag))
            {
                Log.ImportIgnored(_logger);
                return;
            }
            else if (_replayedImport is { } replayed)
            {
                // The entry was logged and applied before the last run stopped; only clearing the
                // flag was missed. Its outcome stands: proposing it again would only be skipped.
                _recoveredImport = replayed;
                _importState = "pending";
                _importGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return;
            }
        }

        var (revision, keys) = AntietcdDataFile.Read(path);
        Log.ImportProposed(_logger, path, keys.Length, revision);
        _importCommand = new Command { Type = CommandType.Import, Revision = revision, Keys = keys };
        _importState = "pending";
        _importGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Proposes the import entry (or reports a recovered outcome); called once the node leads.</summary>
    private void StartImport()
    {
        if (_recoveredImport is { } recovered)
        {
            CompleteImport(recovered);
        }
        else if (_importCommand is { } command)
        {
            _importCommand = null;
            _ = ProposeImportAsync(command);
        }
    }

    private async Task ProposeImportAsync(Command command)
    {
        try
        {
            // The outcome is handled on the apply loop (CompleteImport), before anything queued
            // after the entry runs; here only a failed proposal is left to handle.
            if (IsClusterMode)
            {
                await ProposeImportInClusterAsync(command).ConfigureAwait(false);
                return;
            }

            await ProposeCoreAsync(command, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AntiEtcdRequestException)
        {
            // The node stopped or failed before the entry was applied (a storage failure is logged
            // by its own path). The flag stays set, so the next start attempts the import again.
        }
        catch (Exception ex)
        {
            // Not logged, so nothing was applied (an entry beyond the WAL's record size): the
            // node cannot serve what it was asked to import.
            Log.ImportFailed(_logger, ex);
            FailStop(new InvalidOperationException($"import_antietcd: {ex.Message}", ex));
        }
        finally
        {
            ReleaseImportGate();
        }
    }

    /// <summary>
    /// A cluster node proposes its import once a leader exists, forwarded if needed (SPEC §9.6), and tries again after
    /// any refusal that says it was not executed; its application, on this node, decides the outcome.
    /// </summary>
    private async Task ProposeImportInClusterAsync(Command command)
    {
        while (!_stopping && Volatile.Read(ref _importGate) is not null)
        {
            try
            {
                var (_, response, _) = await ClusterProposeAsync(command, null, CancellationToken.None).ConfigureAwait(false);
                if (response is ImportOutcome outcome && Volatile.Read(ref _importGate) is not null)
                {
                    // Applied, but not by this node's own apply: a leader's snapshot that covered the entry reached it
                    // first, and only the leader's answer tells the outcome. Completed on the apply loop like any other.
                    await Loop.ExecuteAsync(static (_, s) => { s.Server.CompleteImport(s.Outcome); return true; }, (Server: this, Outcome: outcome), false, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }
            catch (AntiEtcdRequestException ex) when (ex.Code == 503 && ex.Message.EndsWith(Hosting.EtcdErrors.NotExecuted, StringComparison.Ordinal))
            {
            }
            catch (AntiEtcdRequestException ex) when (ex.Code == 503)
            {
                // Outcome unknown: the entry may still be applied here (which completes the import); wait a little
                // for that before proposing again, which would only be skipped if the first one was applied.
                var gate = Volatile.Read(ref _importGate);
                if (gate is not null)
                {
                    await gate.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.ElectionTimeout), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
    }

    /// <summary>
    /// Runs on the apply loop right after the import entry is applied (or at start for a replayed
    /// one): clears the pending flag, logs the outcome and, for a skip with <c>--data</c>, stops
    /// the node (SPEC §9.6, §13.3 Failed).
    /// </summary>
    private void CompleteImport(ImportOutcome outcome)
    {
        if (Volatile.Read(ref _importGate) is null)
        {
            // Not this start's import: an entry that a peer proposed (not possible before
            // clustering) or one replayed without a pending flag.
            return;
        }

        try
        {
            _dataDirectory?.ClearFlag(ImportPendingFlag);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            OnStorageFailure(ex);
        }

        if (outcome.Applied)
        {
            Volatile.Write(ref _importState, "applied");
            Log.ImportApplied(_logger, outcome.KeyCount, outcome.Revision);
        }
        else
        {
            Volatile.Write(ref _importState, "skipped");
            Log.ImportSkipped(_logger);
            if (_options.Data is not null)
            {
                // With --data a skipped import is an error: the directory holds some other state.
                FailStop(new InvalidOperationException(ImportSkippedMessage));
            }
        }

        ReleaseImportGate();
    }

    /// <summary>Lets waiting requests go on: they run, or get 502 when the node is stopping or failed.</summary>
    private void ReleaseImportGate() => Interlocked.Exchange(ref _importGate, null)?.TrySetResult();

    /// <summary>
    /// The readiness wait of every client request kind while an import is pending (SPEC §8.4,
    /// §9.6): completes at once when none is; otherwise waits for the outcome, up to
    /// <c>wait_quorum_timeout</c>, then throws U3. Throws 502 when the node stopped meanwhile.
    /// </summary>
    private ValueTask WaitForImportAsync(bool noWaitQuorum, CancellationToken cancellationToken)
    {
        var gate = Volatile.Read(ref _importGate);
        return gate is null ? ValueTask.CompletedTask : WaitForImportCoreAsync(gate.Task, noWaitQuorum, cancellationToken);
    }

    private async ValueTask WaitForImportCoreAsync(Task outcome, bool noWaitQuorum, CancellationToken cancellationToken)
    {
        try
        {
            // nowaitquorum: the readiness deadline is the arrival itself (SPEC §8.4), so a pending import is U3 at once.
            await outcome.WaitAsync(noWaitQuorum ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_options.WaitQuorumTimeout), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A leader is known (this node), so the readiness error is U3 (SPEC §3.6).
            throw new AntiEtcdRequestException(503, 14, NotReadyMessage);
        }

        ThrowIfStopping();
    }

    /// <summary>A watch create on a client stream that arrived while the import is pending: waits, then creates, or reports U3 as "create failed" (SPEC §7.4).</summary>
    private async Task CreateWatchAfterImportAsync(WatchStream stream, WatchCreateRequest request, RequestFlags flags, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForImportAsync((flags & RequestFlags.NoWaitQuorum) != 0, cancellationToken).ConfigureAwait(false);
        }
        catch (AntiEtcdRequestException ex) when (ex.Code == 503)
        {
            await FailWatchCreateAsync(stream, ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        await CreateWatchOnStreamAsync(stream, request, flags, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the outcome of an import entry applied by WAL replay (recovery calls this).</summary>
    private void OnImportReplayed(object? response)
    {
        if (response is ImportOutcome outcome)
        {
            _replayedImport = outcome;
        }
    }
}
