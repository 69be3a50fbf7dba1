using AntiEtcd.Jepsen.Checkers.History;
using AntiEtcd.Jepsen.Checkers.ListAppend;

namespace AntiEtcd.Jepsen.Checkers;

/// <summary>
/// Checks a list-append history for strict serializability, after Jepsen's Elle (Kingsbury &amp; Alvaro, VLDB 2020):
/// appends of unique elements make every read reveal the order of the writes before it, which gives each key's
/// version order and from it the write-write, write-read and read-write (anti-)dependencies between transactions.
/// </summary>
/// <remarks>
/// Reported anomalies: malformed history (non-unique elements, an Ok read with no result), internal inconsistency
/// (a txn's read disagrees with its own earlier steps), duplicated elements in a read, garbage reads (an element
/// nobody appended), G1a aborted reads (an element appended only by a failed txn), G1b intermediate reads,
/// incompatible orders (two reads of a key that are not prefixes of one another), lost appends (an Ok append that no
/// read shows although a later read or append in real time should have seen it), and every cycle of the graph of
/// ww/wr/rw edges plus real-time edges (a completed before b was invoked), named G0, G1c, G-single or G2 after the
/// edges on it, with "-realtime" when it needs a real-time edge. A history without any of them is strict
/// serializable for the observed versions. Unknown txns take part only when one of their appends was read (then they
/// took effect); their reads are not known. Stateless and thread-safe.
/// </remarks>
public static class ListAppendChecker
{
    /// <summary>Checks a list-append history.</summary>
    /// <param name="history">Every transaction the clients ran, in any order, any outcome.</param>
    /// <returns>Valid when no anomaly and no cycle was found; otherwise every anomaly kind with a count and the first few examples (cycles list their txns and edges).</returns>
    public static CheckResult Check(IReadOnlyList<TxnOp> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return new ListAppendAnalysis(history).Run();
    }
}
