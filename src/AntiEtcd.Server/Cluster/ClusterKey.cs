using System.Text;

namespace AntiEtcd.Server.Cluster;

/// <summary>Reading the shared secret of SPEC §10.3 from <c>cluster_key</c> or <c>cluster_key_file</c>.</summary>
/// <remarks>The key is returned as bytes and never formatted into messages or exceptions.</remarks>
internal static class ClusterKey
{
    /// <summary>Keys shorter than this (in UTF-8 bytes) make the server log a warning.</summary>
    public const int RecommendedMinimumBytes = 16;

    /// <summary>
    /// The UTF-8 key: <paramref name="key"/> when set, otherwise the first line of <paramref name="keyFile"/>
    /// (without its line terminator). Null when neither is set.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read (the message names the file, not the key).</exception>
    /// <exception cref="InvalidOperationException">The key is empty.</exception>
    public static byte[]? Load(string? key, string? keyFile)
    {
        string? text = key;
        if (text is null && keyFile is not null)
        {
            using var reader = new StreamReader(keyFile, Encoding.UTF8);
            text = reader.ReadLine() ?? string.Empty;
        }

        if (text is null)
        {
            return null;
        }

        return text.Length == 0
            ? throw new InvalidOperationException(key is null ? $"cluster_key_file {keyFile} has an empty first line" : "cluster_key is empty")
            : Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Whether the key is long enough not to warrant the SPEC §10.3 warning.</summary>
    public static bool IsShort(ReadOnlySpan<byte> key) => key.Length < RecommendedMinimumBytes;
}
