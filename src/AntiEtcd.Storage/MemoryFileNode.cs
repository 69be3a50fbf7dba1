namespace AntiEtcd.Storage;

/// <summary>The content of one in-memory file: what reads see, and what survives a crash (as of the last fsync).</summary>
/// <remarks>Guarded by the owning <see cref="MemoryStorageFileSystem"/>'s lock.</remarks>
internal sealed class MemoryFileNode
{
    public byte[] Buffer = [];
    public int Length;
    public byte[] Durable = [];

    public ReadOnlySpan<byte> Content => Buffer.AsSpan(0, Length);

    public void SetContent(ReadOnlySpan<byte> content)
    {
        Buffer = content.ToArray();
        Length = Buffer.Length;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (Length + data.Length > Buffer.Length)
        {
            Array.Resize(ref Buffer, Math.Max(Length + data.Length, Math.Max(4096, Buffer.Length * 2)));
        }

        data.CopyTo(Buffer.AsSpan(Length));
        Length += data.Length;
    }

    public void Truncate(int length)
    {
        if (length < Length)
        {
            Buffer.AsSpan(length, Length - length).Clear();
        }
        else if (length > Buffer.Length)
        {
            Array.Resize(ref Buffer, length);
        }

        Length = length;
    }
}
