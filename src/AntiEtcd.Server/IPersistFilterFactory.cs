namespace AntiEtcd.Server;

/// <summary>
/// The class that <c>--persist_filter PATH.dll:Namespace.Type</c> names (SPEC §11.2, §13.4). It is
/// created with a public constructor taking <c>IReadOnlyDictionary&lt;string,string&gt;</c> (every
/// option, unknown ones included) or a public parameterless one.
/// </summary>
public interface IPersistFilterFactory
{
    /// <summary>Creates the filter once, at start.</summary>
    /// <param name="options">Every option given to the server, names in snake_case (unknown ones included), for filter settings such as a key prefix.</param>
    /// <returns>The filter, or null for no filter.</returns>
    PersistFilter? Create(IReadOnlyDictionary<string, string> options);
}
