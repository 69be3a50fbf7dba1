using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>
/// Applies one logged write to the store: the same code for a live proposal and for WAL replay at
/// start-up, so that a restarted node reaches exactly the state it acknowledged (SPEC §8.8: apply
/// reads no clock, no option and no random source; everything was decided before logging).
/// </summary>
internal static class CommandApplier
{
    /// <summary>Applies <paramref name="command"/>; the response (boxed) is null when the status is not Ok.</summary>
    /// <remarks>An import always gives Ok with an <see cref="ImportOutcome"/>.</remarks>
    /// <remarks>Runs on the apply loop only. The lessor's deadlines follow grants and revokes.</remarks>
    public static (MvccStatus Status, object? Response) Apply(MvccStore store, Lessor lessor, Command command)
    {
        switch (command.Type)
        {
            case CommandType.Put:
                return Box(store.Put(command.Put!));
            case CommandType.DeleteRange:
                return Box(store.DeleteRange(command.DeleteRange!));
            case CommandType.Txn:
                return Box(store.Txn(command.Txn!));
            case CommandType.Compact:
                return Box(store.Compact(command.Revision));
            case CommandType.LeaseGrant:
                var grant = store.LeaseGrant(command.LeaseId, command.Ttl);
                if (grant.IsOk)
                {
                    lessor.Renew(command.LeaseId, command.Ttl);
                }

                return Box(grant);
            case CommandType.LeaseRevoke:
                lessor.Forget(command.LeaseId);
                return Box(store.LeaseRevoke(command.LeaseId));
            case CommandType.Import:
                // Never refused: a store that is not empty skips it, identically on every node.
                var applied = store.Import(command.Keys!, command.Revision);
                return (MvccStatus.Ok, new ImportOutcome(applied, command.Keys!.Count, store.Revision));
            case CommandType.VolatileReset:
                store.Reset(command.Keys!, command.Leases!, command.Revision);
                lessor.ResetTo(command.Leases!);
                return (MvccStatus.Ok, new VolatileResetOutcome(command.Keys!.Count, store.Revision));
            default:
                throw new InvalidOperationException($"Unknown command type {command.Type}.");
        }
    }

    private static (MvccStatus, object?) Box<T>(MvccResult<T> result)
        where T : class => (result.Status, result.Response);
}
