using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// A persist filter factory for the tests, loaded by <c>--persist_filter</c> from this assembly:
/// keys under the <c>volatile_prefix</c> option are volatile.
/// </summary>
public sealed class TestPersistFilterFactory : IPersistFilterFactory
{
    public PersistFilter? Create(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue("volatile_prefix", out var prefix))
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(prefix);
        return (key, _) => key.StartsWith(bytes) ? PersistDecision.Volatile : PersistDecision.Persist;
    }
}
