using AntiEtcd.Client;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Maps a failed request to Jepsen's fail / info. Being wrong towards Unknown only weakens a check;
/// being wrong towards Fail can invent an anomaly, so every doubt goes to Unknown.
/// </summary>
public static class OutcomeClassifier
{
    /// <summary>
    /// A write (put, txn with puts, grant, revoke): Fail only when every attempt surely did not run
    /// (not sent, a 503 "not executed", a 502, any 4xx); Unknown for a timeout or broken connection after
    /// sending, a 503 "outcome unknown", any other 5xx, our own cancellation, or an unexpected exception.
    /// </summary>
    public static Outcome ForWrite(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not AntiEtcdClientException client || client.Errors.Count == 0)
        {
            return Outcome.Unknown;
        }

        foreach (var error in client.Errors)
        {
            if (error.MayHaveExecuted)
            {
                return Outcome.Unknown;
            }

            bool notExecuted = error.StatusCode == 503 && error.Message.EndsWith(AntiEtcdClient.NotExecutedSuffix, StringComparison.Ordinal);
            if (error.StatusCode >= 500 && error.StatusCode != 502 && !notExecuted)
            {
                return Outcome.Unknown;
            }
        }

        return Outcome.Fail;
    }

    /// <summary>A read has no effect: any failure is Fail (and the checkers drop it).</summary>
    public static Outcome ForRead(Exception exception) => Outcome.Fail;

    /// <summary>True for the exceptions a request may end with (client errors, timeouts, decoding).</summary>
    public static bool IsRequestFailure(Exception exception) =>
        exception is AntiEtcdClientException or OperationCanceledException or FormatException or System.Text.Json.JsonException or IOException or InvalidOperationException
            // The client lets a few transport errors escape unwrapped (e.g. ENOTCONN while connecting to a node being killed).
            or System.Net.Sockets.SocketException or HttpRequestException;

    /// <summary>The short text of a failure, for the history.</summary>
    public static string Describe(Exception exception) =>
        exception is AntiEtcdClientException client ? client.ErrorMessage : exception.GetType().Name + ": " + exception.Message;
}
