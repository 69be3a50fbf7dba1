using System.Security.Cryptography;
using System.Text;

namespace AntiEtcd.Server.Cluster;

/// <summary>The MACs of the peer handshake (SPEC §10.3), computed over the exact strings the specification gives.</summary>
/// <remarks>Stateless and thread-safe. The key never leaves this class in any form but the HMAC output.</remarks>
internal static class PeerAuth
{
    /// <summary>The handshake protocol version carried in hello and auth.</summary>
    public const int Protocol = 1;

    /// <summary>Bytes of randomness in a challenge or a nonce.</summary>
    public const int RandomBytes = 32;

    /// <summary>Bytes of an HMAC-SHA256 output.</summary>
    public const int MacBytes = 32;

    /// <summary>A fresh challenge or nonce as the base64 text that is sent and MACed.</summary>
    public static string NewRandom() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary><c>M1 = HMAC-SHA256(key, "antietcd-peer-auth-v1\nclient\n" + N + "\n" + S + "\n" + challenge + "\n" + nonce)</c>.</summary>
    public static byte[] ClientMac(ReadOnlySpan<byte> key, string clientNodeId, string serverNodeId, string challenge, string nonce) =>
        Mac(key, "client", clientNodeId, serverNodeId, challenge, nonce);

    /// <summary><c>M2 = HMAC-SHA256(key, "antietcd-peer-auth-v1\nserver\n" + S + "\n" + N + "\n" + challenge + "\n" + nonce)</c>.</summary>
    public static byte[] ServerMac(ReadOnlySpan<byte> key, string serverNodeId, string clientNodeId, string challenge, string nonce) =>
        Mac(key, "server", serverNodeId, clientNodeId, challenge, nonce);

    /// <summary>Constant-time check of a received base64 MAC against the expected one.</summary>
    public static bool Verify(string? receivedBase64, ReadOnlySpan<byte> expected)
    {
        Span<byte> received = stackalloc byte[MacBytes];
        if (receivedBase64 is null || !Convert.TryFromBase64String(receivedBase64, received, out var written) || written != MacBytes)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(received, expected);
    }

    private static byte[] Mac(ReadOnlySpan<byte> key, string role, string first, string second, string challenge, string nonce)
    {
        var input = Encoding.UTF8.GetBytes("antietcd-peer-auth-v1\n" + role + "\n" + first + "\n" + second + "\n" + challenge + "\n" + nonce);
        return HMACSHA256.HashData(key, input);
    }
}
