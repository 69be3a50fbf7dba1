namespace AntiEtcd.Server.Node;

/// <summary>The result of applying a volatile reset (SPEC §9.4): how many keys it carried and the revision it set.</summary>
internal sealed record VolatileResetOutcome(int Keys, long Revision);
