namespace AntiEtcd.Storage;

/// <summary>Named points at each durability boundary where tests can inject a failure, a pause or a crash.</summary>
/// <remarks>
/// <para>Injected per node (never a static toggle, so tests run in parallel). The default is
/// <see cref="NoFailpoints.Instance"/>, whose cost is one interface call.</para>
/// <para><see cref="Hit"/> is called on the thread doing the I/O (the WAL writer thread, or the thread saving a
/// snapshot). An exception thrown from it fails that operation exactly as an I/O error would: a WAL becomes failed
/// for good (fail-stop). Names are the constants of <see cref="FailpointNames"/>; other projects may add their own.</para>
/// </remarks>
public interface IFailpoints
{
    /// <summary>Called when execution reaches the point <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="FailpointNames"/>.</param>
    void Hit(string name);
}
