using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AntiEtcd.Server.Node;

/// <summary>member_id and cluster_id derived from node names (SPEC §8.1).</summary>
internal static class NodeIdentity
{
    /// <summary>The first 8 bytes of SHA-256(UTF-8 of the node_id), big-endian; 1 if that is 0.</summary>
    public static ulong MemberId(string nodeId) => Hash(Encoding.UTF8.GetBytes(nodeId));

    /// <summary>The member_id function over the node_ids sorted byte-wise and joined with "\n".</summary>
    public static ulong ClusterId(IEnumerable<string> nodeIds)
    {
        var encoded = nodeIds.Select(Encoding.UTF8.GetBytes).ToList();
        encoded.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var joined = new List<byte>();
        for (var i = 0; i < encoded.Count; i++)
        {
            if (i > 0)
            {
                joined.Add((byte)'\n');
            }

            joined.AddRange(encoded[i]);
        }

        return Hash([.. joined]);
    }

    private static ulong Hash(byte[] data)
    {
        var id = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(data));
        return id == 0 ? 1 : id;
    }
}
