namespace AntiEtcd.Server.Tests;

/// <summary>An API answer as the wire sees it: the HTTP status and the compact JSON body.</summary>
public sealed record ApiReply(int Status, string Body);
