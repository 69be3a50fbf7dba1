using System.Text;
using AntiEtcd.Server;

namespace PrefixPersistFilter;

/// <summary>
/// An example <c>--persist_filter</c> class, in the spirit of the original antietcd's example: keys
/// under <c>--volatile_prefix</c> (a comma list) are never written to disk, and the key named by
/// <c>--redact_key</c> is stored with the value <c>"redacted"</c>.
/// </summary>
/// <example>
/// <code>antietcd --data /var/lib/antietcd --persist_filter PrefixPersistFilter.dll:PrefixPersistFilter.PrefixPersistFilterFactory --volatile_prefix /stats/,/osd/state/</code>
/// </example>
public sealed class PrefixPersistFilterFactory : IPersistFilterFactory
{
    private static readonly ReadOnlyMemory<byte> Redacted = "redacted"u8.ToArray();

    /// <inheritdoc/>
    public PersistFilter? Create(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefixes = options.TryGetValue("volatile_prefix", out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => Encoding.UTF8.GetBytes(p)).ToArray()
            : [];
        var redact = options.TryGetValue("redact_key", out var key) ? Encoding.UTF8.GetBytes(key) : null;
        if (prefixes.Length == 0 && redact is null)
        {
            return null;
        }

        // Captured arrays are only read: the filter is thread-safe and deterministic.
        return (k, v) =>
        {
            foreach (var prefix in prefixes)
            {
                if (k.StartsWith(prefix))
                {
                    return PersistDecision.Volatile;
                }
            }

            return redact is not null && k.SequenceEqual(redact) ? PersistDecision.Replace(Redacted) : PersistDecision.Persist;
        };
    }
}
