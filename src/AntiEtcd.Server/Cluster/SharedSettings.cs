namespace AntiEtcd.Server.Cluster;

/// <summary>The settings every node of a cluster must share (SPEC §8.8), the <c>G</c> of the peer handshake (SPEC §10.3).</summary>
/// <param name="Persistence"><c>"data"</c> with <c>--data</c>, <c>"memory"</c> otherwise.</param>
/// <param name="PersistFilter">
/// <c>""</c> without a filter; the <c>Namespace.Type</c> of <c>--persist_filter</c>; for a delegate, the full name
/// of its method's declaring type, <c>.</c>, the method name.
/// </param>
/// <param name="MaxRequestBytes">The <c>max_request_bytes</c> option.</param>
internal sealed record SharedSettings(string Persistence, string PersistFilter, int MaxRequestBytes)
{
    /// <summary>The handshake names of the settings, in the order they are compared and logged.</summary>
    public const string PersistenceName = "persistence";

    /// <inheritdoc cref="PersistenceName"/>
    public const string PersistFilterName = "persist_filter";

    /// <inheritdoc cref="PersistenceName"/>
    public const string MaxRequestBytesName = "max_request_bytes";

    /// <summary>The first setting that differs, or null when all match; values are shown as they would be logged.</summary>
    public (string Name, string Ours, string Theirs)? FirstDifference(SharedSettings theirs)
    {
        if (!string.Equals(Persistence, theirs.Persistence, StringComparison.Ordinal))
        {
            return (PersistenceName, Show(Persistence), Show(theirs.Persistence));
        }

        if (!string.Equals(PersistFilter, theirs.PersistFilter, StringComparison.Ordinal))
        {
            return (PersistFilterName, Show(PersistFilter), Show(theirs.PersistFilter));
        }

        if (MaxRequestBytes != theirs.MaxRequestBytes)
        {
            return (MaxRequestBytesName, MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                theirs.MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return null;
    }

    // An empty filter name would leave a hole in the log line; SPEC §10.3 writes it as "".
    private static string Show(string value) => value.Length == 0 ? "\"\"" : value;
}
