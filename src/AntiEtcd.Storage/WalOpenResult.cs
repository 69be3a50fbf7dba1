namespace AntiEtcd.Storage;

/// <summary>An open WAL and what was recovered from it.</summary>
/// <param name="Wal">The WAL, ready for appends after the recovered records.</param>
/// <param name="Recovery">The records read back.</param>
public sealed record WalOpenResult(Wal Wal, WalRecovery Recovery);
