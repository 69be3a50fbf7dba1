using System.Globalization;

namespace AntiEtcd.Jepsen.Tests;

/// <summary>
/// Environment switches of the suite. <c>ANTIETCD_JEPSEN=long</c>: every matrix run lasts
/// <c>ANTIETCD_JEPSEN_TIME</c> seconds (default 300) and keeps its folder. <c>ANTIETCD_JEPSEN_TIME=N</c>
/// alone changes the CI duration (default 20 s). <c>ANTIETCD_JEPSEN_NODES=1</c> runs the whole matrix on
/// one-node clusters (the harness's own code path, before clustering existed; kill without --data is
/// then skipped: a one-node in-memory server loses everything on a restart, by design, SPEC §9.5).
/// </summary>
internal static class JepsenMode
{
    public static bool Long => string.Equals(Environment.GetEnvironmentVariable("ANTIETCD_JEPSEN"), "long", StringComparison.OrdinalIgnoreCase);

    public static TimeSpan Duration
    {
        get
        {
            var text = Environment.GetEnvironmentVariable("ANTIETCD_JEPSEN_TIME");
            int seconds = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : Long ? 300 : 20;
            return TimeSpan.FromSeconds(seconds);
        }
    }

    /// <summary>Forced cluster size (1), or null for the matrix's own 3 and 5.</summary>
    public static int? ForcedNodes =>
        int.TryParse(Environment.GetEnvironmentVariable("ANTIETCD_JEPSEN_NODES"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null;
}
