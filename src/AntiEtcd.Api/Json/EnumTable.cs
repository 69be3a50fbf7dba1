using System.Text;

namespace AntiEtcd.Api.Json;

/// <summary>The wire names of one etcd enum, indexed by their numeric value (SPEC §3.3).</summary>
/// <remarks>Immutable after construction; shared by all threads.</remarks>
internal sealed class EnumTable
{
    private readonly byte[][] _names;

    /// <param name="protoName">etcd's name used in errors, e.g. <c>RangeRequest_SortOrder</c>.</param>
    /// <param name="keepAnyInt32">
    /// Accept every int32 number and keep it: etcd accepts sort options outside the enum at
    /// decoding and refuses them later with <c>invalid sort option</c> (SPEC §4.1).
    /// </param>
    /// <param name="names">Upper-case names; the index is the value.</param>
    public EnumTable(string protoName, bool keepAnyInt32, params string[] names)
    {
        ProtoName = "etcdserverpb." + protoName;
        KeepAnyInt32 = keepAnyInt32;
        _names = new byte[names.Length][];
        for (int i = 0; i < names.Length; i++)
        {
            _names[i] = Encoding.UTF8.GetBytes(names[i]);
        }
    }

    public string ProtoName { get; }

    public bool KeepAnyInt32 { get; }

    public int Count => _names.Length;

    /// <summary>The value of an exact (case-sensitive) name, or -1.</summary>
    public int Match(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < _names.Length; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
