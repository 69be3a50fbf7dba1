using System.Diagnostics;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// A live key with no retained history, packed into one exact-size byte array: the index entry
/// of the common case (see <see cref="MvccStore"/>). This struct is a decoded view of such an
/// array; the array itself is what the index holds.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (varints as in the snapshot format: LEB128 of the two's complement):
/// key length, key bytes, create_revision, mod_revision − create_revision, version, lease, then
/// the value bytes up to the end of the array.</para>
/// <para><b>Why.</b> Issue 4's memory target (RSS ≤ 2.5× the raw data at 1,000,000 keys of 16 +
/// 100 bytes). A <see cref="KeyValue"/> per key with its own key and value arrays took
/// 80 + 40 + 128 = 248 bytes of heap per key; this array takes 152 (24 of header, 123 of data,
/// padding). The index's key is a slice of the same array, so the key costs no second copy.</para>
/// <para><b>Immutability.</b> An array is written once by <see cref="Encode(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, long, long, long)"/>
/// and never changed: a new version is a new array. So the <see cref="KeyValue"/> that
/// <see cref="ToKeyValue"/> hands out can alias it (zero-copy slices), and stays valid for as
/// long as anyone holds it.</para>
/// </remarks>
internal readonly struct LiveRecord
{
    private readonly int _keyStart;
    private readonly int _keyLength;
    private readonly int _valueStart;

    /// <summary>Decodes the header of a record written by <see cref="Encode(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, long, long, long)"/>.</summary>
    public LiveRecord(byte[] bytes)
    {
        Bytes = bytes;
        var position = 0;
        var keyLength = (int)Read(bytes, ref position);
        _keyStart = position;
        _keyLength = keyLength;
        position += keyLength;
        CreateRevision = Read(bytes, ref position);
        ModRevision = CreateRevision + Read(bytes, ref position);
        Version = Read(bytes, ref position);
        Lease = Read(bytes, ref position);
        _valueStart = position;
    }

    /// <summary>The encoded record.</summary>
    public byte[] Bytes { get; }

    /// <summary>The key: a slice of <see cref="Bytes"/>.</summary>
    public ReadOnlyMemory<byte> Key => new(Bytes, _keyStart, _keyLength);

    /// <summary>The value: a slice of <see cref="Bytes"/> (empty, not default, for an empty value).</summary>
    public ReadOnlyMemory<byte> Value => new(Bytes, _valueStart, Bytes.Length - _valueStart);

    /// <summary>The revision of the key's creation.</summary>
    public long CreateRevision { get; }

    /// <summary>The revision of the key's last modification.</summary>
    public long ModRevision { get; }

    /// <summary>Puts since creation (≥ 1: a record is never a tombstone).</summary>
    public long Version { get; }

    /// <summary>The attached lease, 0 if none.</summary>
    public long Lease { get; }

    /// <summary>The index key of a record: a slice of it, so the index keeps no separate key copy.</summary>
    public static ReadOnlyMemory<byte> KeyOf(byte[] bytes)
    {
        var position = 0;
        var keyLength = (int)Read(bytes, ref position);
        return new ReadOnlyMemory<byte>(bytes, position, keyLength);
    }

    /// <summary>Packs a live version into a new exact-size array (copies the key and the value).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long createRevision, long modRevision, long version, long lease)
    {
        Debug.Assert(!key.IsEmpty && version >= 1, "records hold live versions of stored keys");
        var delta = modRevision - createRevision;
        var bytes = new byte[Varint.SizeOf(key.Length) + key.Length + Varint.SizeOf(createRevision) + Varint.SizeOf(delta)
                             + Varint.SizeOf(version) + Varint.SizeOf(lease) + value.Length];
        var span = bytes.AsSpan();
        var position = Varint.Write(span, key.Length);
        key.CopyTo(span[position..]);
        position += key.Length;
        position += Varint.Write(span[position..], createRevision);
        position += Varint.Write(span[position..], delta);
        position += Varint.Write(span[position..], version);
        position += Varint.Write(span[position..], lease);
        value.CopyTo(span[position..]);
        return bytes;
    }

    /// <summary>Packs a live <see cref="KeyValue"/> (copies its key and value).</summary>
    public static byte[] Encode(KeyValue kv) =>
        Encode(kv.Key.Span, kv.Value.Span, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    /// <summary>
    /// A <see cref="KeyValue"/> of this version whose key and value alias the record (no copy).
    /// A new object per call: callers that hand it out share it as usual.
    /// </summary>
    public KeyValue ToKeyValue() => MvccStore.NewVersion(Key, Value, CreateRevision, ModRevision, Version, Lease);

    /// <summary>As <see cref="ToKeyValue"/> without the value (range <c>keys_only</c>).</summary>
    public KeyValue ToKeyOnly() => MvccStore.NewVersion(Key, default, CreateRevision, ModRevision, Version, Lease);

    private static long Read(byte[] bytes, ref int position)
    {
        // The store wrote every record itself, so a malformed one is a bug, not bad input.
        var error = Varint.TryRead(bytes, ref position, out var value);
        Debug.Assert(error is null, error);
        return value;
    }
}
