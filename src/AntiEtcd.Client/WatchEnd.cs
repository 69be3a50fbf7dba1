using AntiEtcd.Api;

namespace AntiEtcd.Client;

/// <summary>The outcome of <see cref="ResumableWatch.RunAsync"/> when it stops on its own.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Response">The message that ended it, when one did (the compacted or create-failed reply).</param>
/// <param name="Description">A one-line description, e.g. the cancel reason.</param>
public sealed record WatchEnd(WatchEndReason Reason, WatchResponse? Response, string Description);
