namespace AntiEtcd.Storage;

/// <summary>What the writer knows of one segment: enough to decide <see cref="Wal.ReleaseBeforeAsync"/>.</summary>
internal sealed class WalSegment(ulong sequence, string path)
{
    public ulong Sequence { get; } = sequence;

    public string Path { get; } = path;

    /// <summary>The highest index of an entry or snapshot record in the segment (0 if none).</summary>
    public ulong MaxIndex { get; set; }
}
