using System.Runtime.ExceptionServices;
using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>
/// A store operation with a caller-supplied state and a static function, so that queuing one
/// allocates this object and its task only (no closure).
/// </summary>
internal sealed class StoreOperation<TState, TResult>(Func<MvccStore, TState, TResult> function, TState state) : StoreOperation
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? _result;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Completes with the function's result once it has run.</summary>
    public Task<TResult> Task => _completion.Task;

    /// <inheritdoc />
    public override void Run(MvccStore store)
    {
        try
        {
            _result = function(store, state);
        }
        catch (Exception ex)
        {
            // A throw here is a bug in the store or the caller's function; the request gets a 500
            // and the loop keeps serving the others.
            _failure = ExceptionDispatchInfo.Capture(ex);
        }
    }

    /// <inheritdoc />
    public override void Complete()
    {
        if (_failure is not null)
        {
            _completion.TrySetException(_failure.SourceException);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    /// <inheritdoc />
    public override void Abandon(Exception reason) => _completion.TrySetException(reason);
}
