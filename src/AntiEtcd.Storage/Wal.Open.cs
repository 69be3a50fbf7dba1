namespace AntiEtcd.Storage;

/// <content>Opening: temporary-file cleanup, segment scan, torn-tail repair, index resolution.</content>
public sealed partial class Wal
{
    /// <summary>Opens (or creates) the WAL in <paramref name="directory"/>, repairs a torn tail and reads every record back.</summary>
    /// <param name="directory">The WAL directory (the data directory's <see cref="DataDirectory.WalDirectory"/>); created if missing.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="fileSystem">The file system; null for <see cref="PhysicalStorageFileSystem.Instance"/>.</param>
    /// <param name="failpoints">Failure injection; null for <see cref="NoFailpoints.Instance"/>.</param>
    /// <param name="cancellationToken">Cancels before the work starts.</param>
    /// <returns>The open WAL and the recovered records.</returns>
    /// <remarks>The files are read on a thread-pool thread. The caller must hold the data directory's lock.</remarks>
    /// <exception cref="StorageCorruptException">Damage other than a torn tail; the message names the file and offset.</exception>
    /// <exception cref="IOException">A file could not be read or written.</exception>
    public static Task<WalOpenResult> OpenAsync(string directory, WalOptions? options, IStorageFileSystem? fileSystem, IFailpoints? failpoints,
        CancellationToken cancellationToken)
    {
        var checkedOptions = CheckArguments(directory, options);
        return Task.Run(() => OpenCore(directory, checkedOptions, fileSystem, failpoints), cancellationToken);
    }

    /// <summary>As <see cref="OpenAsync"/>, on the calling thread.</summary>
    /// <remarks>
    /// For a caller that runs its whole recovery on a worker thread of its own: the recovered
    /// records are slices of whole segment files, and a caller that keeps no reference to them
    /// once it returns lets the GC reclaim those buffers.
    /// </remarks>
    /// <inheritdoc cref="OpenAsync" path="/param"/>
    /// <inheritdoc cref="OpenAsync" path="/exception"/>
    /// <returns>The open WAL and the recovered records.</returns>
    public static WalOpenResult Open(string directory, WalOptions? options, IStorageFileSystem? fileSystem, IFailpoints? failpoints) =>
        OpenCore(directory, CheckArguments(directory, options), fileSystem, failpoints);

    /// <summary>The checks both opens make before any work (so <see cref="OpenAsync"/> throws them, not its task); the options to use.</summary>
    private static WalOptions CheckArguments(string directory, WalOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new WalOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PersistInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentSize, 1);
        return options;
    }

    private static WalOpenResult OpenCore(string directory, WalOptions options, IStorageFileSystem? fileSystemOrNull, IFailpoints? failpointsOrNull)
    {
        var fileSystem = fileSystemOrNull ?? PhysicalStorageFileSystem.Instance;
        var failpoints = failpointsOrNull ?? NoFailpoints.Instance;
        if (!fileSystem.DirectoryExists(directory))
        {
            fileSystem.CreateDirectory(directory);
            if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))) is { Length: > 0 } parent)
            {
                fileSystem.SyncDirectory(parent);
            }
        }

        var sequences = new List<ulong>();
        foreach (var name in fileSystem.ListFiles(directory))
        {
            if (name.EndsWith(WalFormat.TempSuffix, StringComparison.Ordinal))
            {
                fileSystem.DeleteFile(Path.Combine(directory, name));
            }
            else if (WalFormat.TryParseSegmentName(name, out var sequence))
            {
                sequences.Add(sequence);
            }
        }

        sequences.Sort();
        var segments = new List<WalSegment>(sequences.Count);
        var records = new List<WalRecord>();
        var entries = new List<WalRecord>();
        var tracker = new LogIndexTracker();
        var scanned = new List<(WalRecord Record, long Offset)>();
        WalRecord? hardState = null;
        WalRecord? snapshot = null;
        byte[]? hardStateRecord = null;
        WalTornTail? tornTail = null;
        var warnings = new List<string>();
        for (var i = 0; i < sequences.Count; i++)
        {
            var segment = new WalSegment(sequences[i], Path.Combine(directory, WalFormat.SegmentName(sequences[i])));
            if (i > 0 && sequences[i] != sequences[i - 1] + 1)
            {
                throw new StorageCorruptException(segment.Path, 0, $"segment {WalFormat.SegmentName(sequences[i - 1] + 1)} is missing");
            }

            var data = fileSystem.ReadAllBytes(segment.Path);
            scanned.Clear();
            var isLast = i == sequences.Count - 1;
            var validLength = WalSegmentScanner.Scan(data, segment.Path, segment.Sequence, isLast, scanned, out var tornReason);
            if (tornReason is not null)
            {
                using (var file = fileSystem.OpenFile(segment.Path))
                {
                    file.Truncate(validLength);
                    file.Sync();
                }

                // Zeros after the last record are the reserved space a crash (or an older version's clean stop) left: no record
                // was there, so cutting them is routine. Anything else cut a record that was being written.
                if (tornReason != WalSegmentScanner.ZeroFilledTail)
                {
                    tornTail = new WalTornTail(segment.Path, validLength, data.Length - validLength, tornReason);
                    warnings.Add($"wal: {segment.Path}: torn record at offset {validLength} ({tornReason}); truncated {data.Length - validLength} bytes");
                }
            }

            foreach (var (record, offset) in scanned)
            {
                records.Add(record);
                if (tracker.Check(record.Kind, record.Index) is { } problem)
                {
                    throw new StorageCorruptException(segment.Path, offset, problem);
                }

                tracker.Apply(record.Kind, record.Index, out var dropFrom, out var dropThrough);
                switch (record.Kind)
                {
                    case RecordKind.HardState:
                        hardState = record;
                        hardStateRecord = data.AsSpan((int)offset, WalFormat.RecordHeaderSize + record.Payload.Length).ToArray();
                        break;
                    case RecordKind.Snapshot:
                        snapshot = record;
                        segment.MaxIndex = Math.Max(segment.MaxIndex, record.Index);
                        DropThrough(entries, dropThrough);
                        break;
                    default:
                        segment.MaxIndex = Math.Max(segment.MaxIndex, record.Index);
                        DropFrom(entries, dropFrom);
                        entries.Add(record);
                        break;
                }
            }

            segments.Add(segment);
        }

        IStorageFile active;
        if (segments.Count == 0)
        {
            active = CreateSegment(fileSystem, directory, 1, null);
            segments.Add(new WalSegment(1, active.Path));
        }
        else
        {
            active = fileSystem.OpenFile(segments[^1].Path);
        }

        var firstIndex = tracker.Started ? tracker.Base + 1 : 1;
        var recovery = new WalRecovery(records, entries, hardState, snapshot, firstIndex, tornTail, warnings);
        var wal = new Wal(directory, fileSystem, failpoints, options, tracker, segments, active, hardStateRecord);
        return new WalOpenResult(wal, recovery);
    }

    private static void DropFrom(List<WalRecord> entries, ulong index)
    {
        if (index != 0 && entries.Count > 0 && index >= entries[0].Index)
        {
            var from = (int)(index - entries[0].Index);
            entries.RemoveRange(from, entries.Count - from);
        }
    }

    private static void DropThrough(List<WalRecord> entries, ulong index)
    {
        if (index != 0 && entries.Count > 0 && index >= entries[0].Index)
        {
            entries.RemoveRange(0, (int)Math.Min((ulong)entries.Count, index - entries[0].Index + 1));
        }
    }
}
