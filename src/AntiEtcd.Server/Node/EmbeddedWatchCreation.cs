namespace AntiEtcd.Server.Node;

/// <summary>
/// One <c>CreateWatchAsync</c> call as the apply loop sees it: the ID it created, and whether its caller gave up
/// (canceled) and so can never learn that ID.
/// </summary>
/// <remarks>Touched only on the apply loop, by the create and by the clean-up after a cancellation.</remarks>
internal sealed class EmbeddedWatchCreation
{
    /// <summary>Set by the clean-up: a create that runs afterwards creates nothing.</summary>
    public bool Abandoned { get; set; }

    /// <summary>The ID of the watch created, or null while none is.</summary>
    public long? Id { get; set; }
}
