namespace AntiEtcd.Storage;

/// <summary>A real file: positional writes at the end, truncation with SetLength, fsync with FlushToDisk.</summary>
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

    public void Truncate(long length)
    {
        RandomAccess.SetLength(_stream.SafeFileHandle, length);
        _length = length;
    }

    public void Sync() => RandomAccess.FlushToDisk(_stream.SafeFileHandle);

    public void Dispose() => _stream.Dispose();
}
