namespace AntiEtcd.Server.Tests.Golden;

/// <summary>Our answer to one replayed capture, lease IDs already mapped to etcd's.</summary>
internal sealed record GoldenResult(int Status, string Body, string? ContentType, string? Allow, string? Failure);
