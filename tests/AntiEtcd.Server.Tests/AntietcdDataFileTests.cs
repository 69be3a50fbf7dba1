using System.IO.Compression;
using System.Text;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server.Tests;

/// <summary>The antietcd data file reader of <c>--import_antietcd</c> (SPEC §9.6) on its own: formats, tree walk, limits.</summary>
public sealed class AntietcdDataFileTests
{
    private static (long Revision, string Keys) Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static (long Revision, string Keys) Parse(byte[] data)
    {
        var (revision, keys) = AntietcdDataFile.Parse("f", data);
        return (revision, string.Join(" ", keys.Select(kv => $"{Encoding.UTF8.GetString(kv.Key.Span)}={Encoding.UTF8.GetString(kv.Value.Span)}@{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}")));
    }

    [Fact]
    public void Gzip_is_detected_by_its_magic_bytes_and_plain_json_may_have_a_bom()
    {
        const string json = """ {"mod_revision":2,"state":{"children":{"":{"children":{"k":{"value":"v","mod_revision":2}}}}}}""";
        var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        Assert.Equal((2, "/k=v@2/2/1"), Parse(gz.ToArray()));
        Assert.Equal((2, "/k=v@2/2/1"), Parse(json));
        Assert.Equal((2, "/k=v@2/2/1"), Parse([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]));
    }

    [Fact]
    public void Empty_state_and_directories_without_values_give_no_keys()
    {
        Assert.Equal((0, ""), Parse("""{"state":{}}"""));
        Assert.Equal((5, ""), Parse("""{"mod_revision":5,"state":{"children":{"":{"children":{"dir":{"children":{}}}}}}}"""));
    }

    [Fact]
    public void Keys_come_out_in_byte_order()
    {
        var (_, keys) = Parse("""{"state":{"children":{"b":{"value":"1"},"a":{"value":"2","children":{"z":{"value":"3"},"y":{"value":"4"}}},"ä":{"value":"5"}}}}""");
        Assert.Equal("a=2@1/1/1 a/y=4@1/1/1 a/z=3@1/1/1 b=1@1/1/1 ä=5@1/1/1", keys);
    }

    [Fact]
    public void A_deep_key_is_read_and_a_hostile_depth_is_refused()
    {
        static string Nested(int components)
        {
            var sb = new StringBuilder("{\"state\":");
            for (var i = 0; i < components; i++)
            {
                sb.Append("{\"children\":{\"c\":");
            }

            sb.Append("{\"value\":\"deep\"}");
            for (var i = 0; i < components; i++)
            {
                sb.Append("}}");
            }

            return sb.Append('}').ToString();
        }

        var (_, keys) = Parse(Nested(1000));
        Assert.StartsWith("c/c/c/", keys, StringComparison.Ordinal);
        Assert.EndsWith("/c=deep@1/1/1", keys, StringComparison.Ordinal);

        var ex = Assert.Throws<InvalidDataException>(() => Parse(Nested(100_000)));
        Assert.StartsWith("--import_antietcd f: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_with_a_lone_surrogate_is_refused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Parse("""{"state":{"children":{"k":{"value":"\ud800"}}}}"""));
        Assert.StartsWith("--import_antietcd f: ", ex.Message, StringComparison.Ordinal);
    }
}
