namespace AntiEtcd.Mvcc;

/// <summary>The result of a store call: a response, or the status that refused it.</summary>
/// <typeparam name="T">The response type.</typeparam>
/// <remarks>Expected refusals are values, not exceptions (DESIGN §6): exceptions mean a bug.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "MvccResult<T>.Ok/Fail is the agreed factory shape, as dotNext Result<T>.")]
public readonly struct MvccResult<T>
    where T : class
{
    private MvccResult(MvccStatus status, T? response)
    {
        Status = status;
        Response = response;
    }

    /// <summary>Why the call was refused, or <see cref="MvccStatus.Ok"/>.</summary>
    public MvccStatus Status { get; }

    /// <summary>The response; set exactly when <see cref="IsOk"/>.</summary>
    public T? Response { get; }

    /// <summary>True when the call succeeded.</summary>
    public bool IsOk => Status == MvccStatus.Ok;

    /// <summary>A successful result.</summary>
    /// <param name="response">The response; never null.</param>
    public static MvccResult<T> Ok(T response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new MvccResult<T>(MvccStatus.Ok, response);
    }

    /// <summary>A refused result.</summary>
    /// <param name="status">The reason; must not be <see cref="MvccStatus.Ok"/>.</param>
    public static MvccResult<T> Fail(MvccStatus status)
    {
        if (status == MvccStatus.Ok)
        {
            throw new ArgumentOutOfRangeException(nameof(status), "a failure needs a non-Ok status");
        }

        return new MvccResult<T>(status, null);
    }

    /// <inheritdoc/>
    public override string ToString() => IsOk ? $"Ok({Response})" : $"Fail({Status})";
}
