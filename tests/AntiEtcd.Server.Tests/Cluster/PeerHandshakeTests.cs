using System.Text;
using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>The pieces of the SPEC §10.3 handshake: MAC inputs, JSON shapes, key loading, peer URLs.</summary>
public sealed class PeerHandshakeTests
{
    private const string Challenge = "Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2UtMTI=";
    private const string Nonce = "bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMTI=";
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("correct horse battery staple");

    /// <summary>Vectors computed independently (Python hmac) from the exact strings of SPEC §10.3, client n2, server n1.</summary>
    [Fact]
    public void MacsMatchIndependentlyComputedVectors()
    {
        Assert.Equal("D7FF5BEDC9300A1BD030B73EE193A94948677CB37BABF9EB9663736B1B9C6037", Convert.ToHexString(PeerAuth.ClientMac(Key, "n2", "n1", Challenge, Nonce)));
        Assert.Equal("7E9A5DBA71E1F20DDA549E02A41F877225CFCD8C81C9F86C0B31652584FE95E1", Convert.ToHexString(PeerAuth.ServerMac(Key, "n1", "n2", Challenge, Nonce)));
    }

    [Fact]
    public void VerifyAcceptsOnlyTheExactMac()
    {
        var mac = PeerAuth.ClientMac(Key, "n2", "n1", Challenge, Nonce);
        Assert.True(PeerAuth.Verify(Convert.ToBase64String(mac), mac));
        var other = (byte[])mac.Clone();
        other[31] ^= 1;
        Assert.False(PeerAuth.Verify(Convert.ToBase64String(other), mac));
        Assert.False(PeerAuth.Verify(Convert.ToBase64String(mac[..31]), mac));
        Assert.False(PeerAuth.Verify("not base64!", mac));
        Assert.False(PeerAuth.Verify(null, mac));
        Assert.False(PeerAuth.Verify(Convert.ToBase64String([.. mac, .. mac]), mac));
    }

    [Fact]
    public void ChallengesAre32RandomBytes()
    {
        var first = PeerAuth.NewRandom();
        Assert.Equal(32, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, PeerAuth.NewRandom());
    }

    [Fact]
    public void HandshakeJsonHasTheSpecShape()
    {
        var settings = new SharedSettings("data", "My.Filter", 1024);
        var hello = new HandshakeMessage { Kind = HandshakeKind.Hello, Protocol = 1, NodeId = "n1", ClusterId = 18446744073709551615, Challenge = Challenge, Settings = settings };
        Assert.Equal(
            """{"hello":{"protocol":1,"node_id":"n1","cluster_id":"18446744073709551615","challenge":"Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2UtMTI=","settings":{"persistence":"data","persist_filter":"My.Filter","max_request_bytes":1024}}}""",
            Encoding.UTF8.GetString(hello.ToUtf8()));
        var auth = new HandshakeMessage { Kind = HandshakeKind.Auth, Protocol = 1, NodeId = "n2", ClusterId = 7, Nonce = Nonce, Mac = "bWFj", Settings = settings };
        Assert.Equal(
            """{"auth":{"protocol":1,"node_id":"n2","cluster_id":"7","nonce":"bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2UtMTI=","mac":"bWFj","settings":{"persistence":"data","persist_filter":"My.Filter","max_request_bytes":1024}}}""",
            Encoding.UTF8.GetString(auth.ToUtf8()));
        Assert.Equal("""{"auth_ok":{"mac":"bWFj"}}""", Encoding.UTF8.GetString(new HandshakeMessage { Kind = HandshakeKind.AuthOk, Mac = "bWFj" }.ToUtf8()));

        Assert.Equal(hello, HandshakeMessage.Parse(hello.ToUtf8(), HandshakeKind.Hello));
        Assert.Equal(auth, HandshakeMessage.Parse(auth.ToUtf8(), HandshakeKind.Auth));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"hello":{}}""")]
    [InlineData("""{"auth":{"protocol":"1","node_id":"n2","cluster_id":"7","nonce":"x","mac":"y","settings":{"persistence":"data","persist_filter":"","max_request_bytes":1}}}""")]
    [InlineData("""{"auth":{"protocol":1,"node_id":"n2","cluster_id":"-7","nonce":"x","mac":"y","settings":{"persistence":"data","persist_filter":"","max_request_bytes":1}}}""")]
    [InlineData("""{"auth":{"protocol":1,"node_id":"n2","cluster_id":"7","nonce":"x","mac":"y"}}""")]
    [InlineData("""{"auth":{"protocol":1,"node_id":"n2","cluster_id":"7","nonce":"x","mac":"y","settings":{"persistence":"data","persist_filter":"","max_request_bytes":1e99}}}""")]
    [InlineData("""{"auth":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]}""")]
    public void MalformedAuthIsAnAuthFailure(string json) =>
        Assert.Throws<PeerAuthException>(() => HandshakeMessage.Parse(Encoding.UTF8.GetBytes(json), HandshakeKind.Auth));

    [Fact]
    public void ClusterIdMayBeANumber()
    {
        var json = """{"auth":{"protocol":1,"node_id":"n2","cluster_id":7,"nonce":"x","mac":"y","settings":{"persistence":"data","persist_filter":"","max_request_bytes":1}}}""";
        Assert.Equal(7UL, HandshakeMessage.Parse(Encoding.UTF8.GetBytes(json), HandshakeKind.Auth).ClusterId);
    }

    [Fact]
    public void SettingsDifferencesAreNamedInOrder()
    {
        var ours = new SharedSettings("data", "", 10);
        Assert.Null(ours.FirstDifference(ours with { }));
        Assert.Equal(("persistence", "data", "memory"), ours.FirstDifference(new SharedSettings("memory", "X", 11)));
        Assert.Equal(("persist_filter", "\"\"", "X"), ours.FirstDifference(new SharedSettings("data", "X", 11)));
        Assert.Equal(("max_request_bytes", "10", "11"), ours.FirstDifference(new SharedSettings("data", "", 11)));
    }

    [Fact]
    public void TheKeyComesFromTheOptionOrTheFirstLineOfTheFile()
    {
        Assert.Equal("abc"u8.ToArray(), ClusterKey.Load("abc", "/nonexistent"));
        Assert.Null(ClusterKey.Load(null, null));
        var path = Path.Combine(Path.GetTempPath(), $"antietcd-key-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(path, "first-line-key\r\nsecond line\n");
            Assert.Equal("first-line-key"u8.ToArray(), ClusterKey.Load(null, path));
            File.WriteAllText(path, "\nsecond");
            var error = Assert.Throws<InvalidOperationException>(() => ClusterKey.Load(null, path));
            Assert.DoesNotContain("second", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.True(ClusterKey.IsShort("0123456789abcde"u8));
        Assert.False(ClusterKey.IsShort("0123456789abcdef"u8));
    }

    [Theory]
    [InlineData("http://10.0.0.1:2379", "ws://10.0.0.1:2379/antietcd/peer")]
    [InlineData("https://node-1.example:8443", "wss://node-1.example:8443/antietcd/peer")]
    [InlineData("http://[::1]:2380/", "ws://[::1]:2380/antietcd/peer")]
    public void PeerUrlsAreTheClientUrlsWithTheWebSocketScheme(string url, string expected) =>
        Assert.Equal(expected, ClusterMembership.ToPeerUri(url).ToString());

    [Fact]
    public void MembershipNamesThisNodeAndComputesTheClusterId()
    {
        var membership = new ClusterMembership("b", new Dictionary<string, string> { ["a"] = "http://127.0.0.1:1", ["b"] = "http://127.0.0.1:2" });
        Assert.Equal("b", membership.Local.Name);
        Assert.Equal(4477677635727087946UL, membership.Local.Id.Value);
        Assert.Equal(["a"], membership.Peers.Select(p => p.Name));
        Assert.Equal(14598278634844962250UL, membership.Peers[0].Id.Value);
        Assert.Throws<ArgumentException>(() => new ClusterMembership("z", new Dictionary<string, string> { ["a"] = "http://127.0.0.1:1" }));
    }
}
