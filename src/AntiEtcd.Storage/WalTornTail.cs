namespace AntiEtcd.Storage;

/// <summary>A torn tail that recovery cut from the newest segment (docs/wal-format.md §3).</summary>
/// <param name="FilePath">The segment.</param>
/// <param name="Offset">Where the first bad record started; the file now ends here.</param>
/// <param name="TruncatedBytes">How many bytes were cut.</param>
/// <param name="Reason">What was found, for example "partial record payload" or "zero-filled tail".</param>
public sealed record WalTornTail(string FilePath, long Offset, long TruncatedBytes, string Reason);
