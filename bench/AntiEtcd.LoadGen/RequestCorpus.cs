using System.Globalization;
using System.Text;

namespace AntiEtcd.LoadGen;

/// <summary>
/// Every request body of a run, encoded once before the run so the measured loop only picks an
/// array: the client's per-request work is then the HTTP exchange alone.
/// </summary>
internal sealed class RequestCorpus
{
    private RequestCorpus(byte[][] putBodies, byte[][] rangeBodies)
    {
        PutBodies = putBodies;
        RangeBodies = rangeBodies;
    }

    /// <summary><c>{"key":"…","value":"…"}</c> for each key, base64 as the JSON gateway wants.</summary>
    public byte[][] PutBodies { get; }

    /// <summary><c>{"key":"…"}</c> (or <c>{"key":"…","serializable":true}</c>) for each key.</summary>
    public byte[][] RangeBodies { get; }

    /// <summary>Builds the bodies of <paramref name="keys"/> keys with values of <paramref name="valueSize"/> bytes.</summary>
    /// <remarks>Values are printable bytes from a fixed seed, different per key, so runs are repeatable.</remarks>
    /// <param name="keys">Size of the key set.</param>
    /// <param name="valueSize">Bytes of each value.</param>
    /// <param name="serializable">Range bodies ask for a serializable read (<c>"serializable":true</c>).</param>
    public static RequestCorpus Create(int keys, int valueSize, bool serializable)
    {
        var random = new Random(20_240_601);
        var putBodies = new byte[keys][];
        var rangeBodies = new byte[keys][];
        var value = new byte[valueSize];
        for (var i = 0; i < keys; i++)
        {
            var key = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"bench/key/{i:D6}"));
            for (var j = 0; j < value.Length; j++)
            {
                value[j] = (byte)random.Next('!', '~' + 1);
            }

            var key64 = Convert.ToBase64String(key);
            var value64 = Convert.ToBase64String(value);
            putBodies[i] = Encoding.ASCII.GetBytes($$"""{"key":"{{key64}}","value":"{{value64}}"}""");
            rangeBodies[i] = Encoding.ASCII.GetBytes(serializable
                ? $$"""{"key":"{{key64}}","serializable":true}"""
                : $$"""{"key":"{{key64}}"}""");
        }

        return new RequestCorpus(putBodies, rangeBodies);
    }
}
