using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;
using AntiEtcd.Storage;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    private readonly Lock _proposeLock = new();
    private Wal? _wal;
    private ulong _lastIndex;

    /// <summary>
    /// A client write: once the node is ready for it (no import pending), it goes through the one
    /// write path, <see cref="ProposeCoreAsync"/>, and a refusal becomes its error.
    /// </summary>
    private async Task<TResponse> ProposeAsync<TResponse>(Command command, Func<TResponse, ResponseHeader> header, RequestContext? context, CancellationToken cancellationToken)
        where TResponse : class
    {
        ThrowIfStopping();
        await WaitForImportAsync(context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false);
        var (status, response, compactRevision) = IsClusterMode
            ? await ClusterProposeAsync(command, context, cancellationToken).ConfigureAwait(false)
            : await ProposeCoreAsync(command, cancellationToken).ConfigureAwait(false);
        if (status != MvccStatus.Ok)
        {
            Metrics.ProposalsFailed.Add(1);
            throw EtcdErrors.FromStatus(status, compactRevision);
        }

        Metrics.ProposalsCommitted.Add(1);
        var typed = (TResponse)response!;
        FillHeader(header(typed));
        return typed;
    }

    /// <summary>
    /// The one write path (DESIGN §1): the command is logged (with <c>--data</c>), then applied on
    /// the loop once durable, and the caller gets the result of that application. The import
    /// entry comes here directly, since it is what client requests wait for
    /// (<see cref="WaitForImportAsync"/>).
    /// </summary>
    /// <remarks>
    /// Index assignment, the WAL append and the loop enqueue happen under one lock, so log order,
    /// apply order and index order are the same. Cancellation only stops the caller waiting: a
    /// queued write still happens (its outcome is unknown to that caller).
    /// </remarks>
    private async Task<(MvccStatus Status, object? Response, long CompactRevision)> ProposeCoreAsync(Command command, CancellationToken cancellationToken)
    {
        var operation = new StoreOperation<(AntiEtcdServer Server, Command Command), (MvccStatus Status, object? Response, long CompactRevision)>(
            static (store, s) =>
            {
                var (status, response) = CommandApplier.Apply(store, s.Server.Lessor, s.Command);
                if (response is ImportOutcome outcome)
                {
                    // On the loop, before anything queued after the entry runs.
                    s.Server.CompleteImport(outcome);
                }

                return (status, response, store.CompactRevision);
            },
            (this, command))
        {
            IsWrite = true,
        };

        try
        {
            var wal = _wal;
            if (wal is null)
            {
                Loop.Enqueue(operation);
            }
            else
            {
                using var encoded = new PooledBufferWriter();
                try
                {
                    CommandCodec.Encode(ToPersistedForm(command), encoded);
                }
                catch (ArgumentException)
                {
                    // Only a txn nested deeper than the log format allows gets here (an embedder
                    // with a huge max_txn_ops): refuse it before it is logged.
                    throw EtcdErrors.FromStatus(MvccStatus.TooManyOperations, 0);
                }

                lock (_proposeLock)
                {
                    operation.WalSequence = wal.Append(RecordKind.Entry, _lastIndex + 1, encoded.WrittenSpan);
                    _lastIndex++;
                    Loop.Enqueue(operation);
                }
            }

            return await operation.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageFailedException or ObjectDisposedException)
        {
            // The log failed (the node is now Failed) or the loop stopped: nothing was acknowledged.
            throw EtcdErrors.Stopping();
        }
    }
}
