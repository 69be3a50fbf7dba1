namespace AntiEtcd.Storage;

/// <summary>
/// A real file: positional writes at the end of the data, space reserved with <c>fallocate</c>, truncation with SetLength,
/// <c>fdatasync</c> on Linux (FlushToDisk elsewhere).
/// </summary>
internal sealed class PhysicalStorageFile : IStorageFile
{
    private readonly FileStream _stream;
    private long _length;

    public PhysicalStorageFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
        _length = RandomAccess.GetLength(stream.SafeFileHandle);
    }

    public string Path { get; }

    public long Length => _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(_stream.SafeFileHandle, data, _length);
        _length += data.Length;
    }

    public bool Reserve(long length) => length > RandomAccess.GetLength(_stream.SafeFileHandle) && LibC.TryAllocate(_stream.SafeFileHandle, length);

    public void Truncate(long length)
    {
        RandomAccess.SetLength(_stream.SafeFileHandle, length);
        _length = length;
    }

    public void Sync()
    {
        if (OperatingSystem.IsLinux())
        {
            LibC.DataSync(_stream.SafeFileHandle, Path);
        }
        else
        {
            RandomAccess.FlushToDisk(_stream.SafeFileHandle);
        }
    }

    public void Dispose() => _stream.Dispose();
}
