namespace AntiEtcd.Storage;

/// <summary>The production <see cref="IFailpoints"/>: every point does nothing.</summary>
public sealed class NoFailpoints : IFailpoints
{
    private NoFailpoints()
    {
    }

    /// <summary>The single instance.</summary>
    public static NoFailpoints Instance { get; } = new();

    /// <inheritdoc/>
    public void Hit(string name)
    {
    }
}
