using System.Net;
using System.Net.WebSockets;
using System.Text;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>
/// SPEC §10.2 peer TLS: the dialling side (<see cref="PeerTls"/> through <see cref="WebSocketPeerTransport"/>) against
/// TLS listeners configured by the server's <see cref="TlsSettings"/>, and the listener's <c>peer_ca</c> check.
/// </summary>
[Collection(nameof(PeerTransportCollection))]
public sealed class PeerTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestCertificates _ca1 = new();
    private readonly TestCertificates _ca2 = new();
    private readonly CancellationTokenSource _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly List<WebSocketPeerTransport> _transports = [];
    private readonly List<TlsPeerHost> _hosts = [];

    private CancellationToken Token => _timeout.Token;

    /// <summary>One node: its TLS options and the host name its URL uses.</summary>
    private sealed record Node(string Name, AntiEtcdOptions Options, string UrlHost = "127.0.0.1");

    public ValueTask InitializeAsync()
    {
        _timeout.CancelAfter(TimeSpan.FromSeconds(15));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _timeout.Dispose();
        _ca1.Dispose();
        _ca2.Dispose();
    }

    /// <summary>A node whose server certificate (also its default peer certificate) is signed by <paramref name="issuer"/>.</summary>
    private static AntiEtcdOptions Signed(TestCertificates issuer, string? peerCa = null, string? ca = null) =>
        new() { Cert = issuer.ServerCertPem, Key = issuer.ServerKeyPem, PeerCa = peerCa, Ca = ca };

    private async Task<Dictionary<string, TestPeer>> StartAsync(params Node[] nodes)
    {
        var hosts = new Dictionary<string, TlsPeerHost>();
        var urls = new Dictionary<string, string>();
        foreach (var node in nodes)
        {
            var host = await TlsPeerHost.StartAsync(node.Options, Token);
            _hosts.Add(host);
            hosts[node.Name] = host;
            urls[node.Name] = $"https://{node.UrlHost}:{host.Port}";
        }

        var peers = new Dictionary<string, TestPeer>();
        foreach (var node in nodes)
        {
            var signal = new AsyncSignal();
            var logs = new LogCapture(node.Name, signal, output);
            var transport = new WebSocketPeerTransport(
                new PeerTransportOptions
                {
                    NodeName = node.Name,
                    Cluster = urls,
                    ClusterKey = Encoding.UTF8.GetBytes(PeerSetup.DefaultKey),
                    Settings = new SharedSettings("memory", "", 2 * 1024 * 1024),
                    ReconnectInterval = TimeSpan.FromMilliseconds(50),
                    MaxReconnectInterval = TimeSpan.FromMilliseconds(200),
                    LogCluster = true,
                    ConfigureClient = PeerTls.CreateConfigureClient(node.Options),
                },
                logs);
            _transports.Add(transport);
            peers[node.Name] = new TestPeer(node.Name, transport, logs, signal);
            hosts[node.Name].Listener = transport.Listener;
            await transport.StartAsync(Token);
        }

        return peers;
    }

    [Fact]
    public async Task CertificatesThatChainToPeerCaLinkBothWays()
    {
        var nodes = await StartAsync(new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)), new Node("b", Signed(_ca1, peerCa: _ca1.CaPem)));
        await nodes["a"].WaitLinkedAsync("b", Token);
        await nodes["b"].WaitLinkedAsync("a", Token);
    }

    [Fact]
    public async Task WithoutPeerCaTheServerCertificateMustChainToCa()
    {
        var nodes = await StartAsync(new Node("a", Signed(_ca1, ca: _ca1.CaPem)), new Node("b", Signed(_ca1, ca: _ca1.CaPem)));
        await nodes["a"].WaitLinkedAsync("b", Token);
    }

    [Fact]
    public async Task PeerCaReplacesCaForTheServerCertificate()
    {
        // a trusts _ca2 for peers although its ca is _ca1, which signed b's server certificate.
        var nodes = await StartAsync(
            new Node("a", Signed(_ca1, peerCa: _ca2.CaPem, ca: _ca1.CaPem)),
            new Node("b", Signed(_ca1)));
        var a = nodes["a"];
        await a.WaitForLogAsync("peer b: cannot connect to", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Connected));
    }

    [Fact]
    public async Task AServerCertificateThatDoesNotChainToPeerCaFailsTheDial()
    {
        var nodes = await StartAsync(
            new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)),
            new Node("b", Signed(_ca2, peerCa: _ca1.CaPem)));
        var a = nodes["a"];
        await a.WaitForLogAsync("peer b: cannot connect to wss://127.0.0.1:", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Connected));
        // b trusts _ca1, but the certificate it presents is its _ca2 one, which a's listener refuses on
        // /antietcd/peer: b never gets in either.
        var b = nodes["b"];
        await b.WaitForLogAsync("peer a: cannot connect to", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Incoming, PeerConnectionState.Authenticated));
    }

    [Fact]
    public async Task AServerCertificateForAnotherNameFailsTheDial()
    {
        var (certPem, keyPem) = _ca1.IssueServer("CN=elsewhere.test", ipSan: IPAddress.Parse("192.0.2.1"), dnsSan: "elsewhere.test");
        var nodes = await StartAsync(
            new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)),
            new Node("b", new AntiEtcdOptions { Cert = certPem, Key = keyPem, PeerCa = _ca1.CaPem }));
        var a = nodes["a"];
        await a.WaitForLogAsync("peer b: cannot connect to", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Connected));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task TheNameIsCheckedAgainstAnIpSanOrADnsSan(string urlHost)
    {
        // Each certificate carries only the one name its URL uses.
        var (certPem, keyPem) = urlHost == "localhost"
            ? _ca1.IssueServer("CN=b", ipSan: null, dnsSan: "localhost")
            : _ca1.IssueServer("CN=b", ipSan: IPAddress.Loopback, dnsSan: null);
        var nodes = await StartAsync(
            new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)),
            new Node("b", new AntiEtcdOptions { Cert = certPem, Key = keyPem, PeerCa = _ca1.CaPem }, urlHost));
        await nodes["a"].WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated, Token);
    }

    [Fact]
    public async Task PeerCertIsPresentedInsteadOfCert()
    {
        // a serves a _ca1 certificate but presents a _ca2 client certificate; b accepts only _ca2 peers.
        var aOptions = Signed(_ca1, peerCa: _ca1.CaPem);
        aOptions.PeerCert = _ca2.ClientCertPem;
        aOptions.PeerKey = _ca2.ClientKeyPem;
        var nodes = await StartAsync(new Node("a", aOptions), new Node("b", Signed(_ca1, peerCa: _ca2.CaPem)));
        await nodes["a"].WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated, Token);
        await nodes["b"].WaitForEventAsync("a", PeerDirection.Incoming, PeerConnectionState.Authenticated, Token);
    }

    [Fact]
    public async Task ClientCertAuthLetsAPeerCertificateThroughTheHandshake()
    {
        // Clients need _ca2 (ca); peers present _ca1 certificates (peer_ca). The handshake must take both.
        AntiEtcdOptions Options() => new()
        {
            Cert = _ca1.ServerCertPem, Key = _ca1.ServerKeyPem, Ca = _ca2.CaPem, PeerCa = _ca1.CaPem, ClientCertAuth = true,
        };

        var nodes = await StartAsync(new Node("a", Options()), new Node("b", Options()));
        await nodes["a"].WaitLinkedAsync("b", Token);
    }

    [Theory]
    [InlineData("other CA")]
    [InlineData("none")]
    public async Task AnUpgradeWithoutACertificateThatChainsToPeerCaGets403(string presented)
    {
        await StartAsync(new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)), new Node("b", Signed(_ca1, peerCa: _ca1.CaPem)));
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        PeerTls.Load(new AntiEtcdOptions { PeerCa = _ca1.CaPem }).Configure(socket.Options);
        if (presented == "other CA")
        {
            socket.Options.ClientCertificates.Add(_ca2.ClientCertificate);
        }

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"wss://127.0.0.1:{_hosts[0].Port}{ClusterMembership.PeerPath}"), Token));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task AnUpgradeWithACertificateThatChainsToPeerCaGetsTheHello()
    {
        await StartAsync(new Node("a", Signed(_ca1, peerCa: _ca1.CaPem)), new Node("b", Signed(_ca1, peerCa: _ca1.CaPem)));
        using var socket = new ClientWebSocket();
        PeerTls.Load(new AntiEtcdOptions { PeerCa = _ca1.CaPem }).Configure(socket.Options);
        socket.Options.ClientCertificates.Add(_ca1.ClientCertificate);
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{_hosts[0].Port}{ClusterMembership.PeerPath}"), Token);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, Token);
        Assert.StartsWith("{\"hello\":", Encoding.UTF8.GetString(buffer, 0, received.Count), StringComparison.Ordinal);
    }

    [Fact]
    public void IsPeerCertificateAcceptedChecksTheConnectionCertificateAgainstPeerCa()
    {
        var withPeerCa = TlsSettings.Load(Signed(_ca1, peerCa: _ca1.CaPem, ca: _ca2.CaPem))!;
        var withoutPeerCa = TlsSettings.Load(Signed(_ca1, ca: _ca1.CaPem))!;

        static HttpContext With(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
        {
            var context = new DefaultHttpContext();
            context.Connection.ClientCertificate = certificate;
            return context;
        }

        Assert.True(TlsSettings.IsPeerCertificateAccepted(With(_ca1.ClientCertificate), withPeerCa));
        Assert.True(TlsSettings.IsPeerCertificateAccepted(With(_ca1.ServerCertificate), withPeerCa));
        Assert.False(TlsSettings.IsPeerCertificateAccepted(With(_ca2.ClientCertificate), withPeerCa));
        Assert.False(TlsSettings.IsPeerCertificateAccepted(With(null), withPeerCa));
        Assert.True(TlsSettings.IsPeerCertificateAccepted(With(null), withoutPeerCa));
        Assert.True(TlsSettings.IsPeerCertificateAccepted(With(_ca2.ClientCertificate), withoutPeerCa));
        Assert.True(TlsSettings.IsPeerCertificateAccepted(With(null), tls: null));
    }

    [Fact]
    public void TheListenerRequestsAClientCertificateOnlyWhenPeerCaIsSet()
    {
        HttpsConnectionAdapterOptions Configured(AntiEtcdOptions options)
        {
            var https = new HttpsConnectionAdapterOptions();
            TlsSettings.Load(options)!.Configure(https);
            return https;
        }

        Assert.Equal(ClientCertificateMode.NoCertificate, Configured(Signed(_ca1, ca: _ca1.CaPem)).ClientCertificateMode);
        var allow = Configured(Signed(_ca1, peerCa: _ca1.CaPem));
        Assert.Equal(ClientCertificateMode.AllowCertificate, allow.ClientCertificateMode);
        Assert.True(allow.ClientCertificateValidation!(_ca2.ClientCertificate, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors));

        var options = Signed(_ca1, peerCa: _ca1.CaPem, ca: _ca2.CaPem);
        options.ClientCertAuth = true;
        var require = Configured(options);
        Assert.Equal(ClientCertificateMode.RequireCertificate, require.ClientCertificateMode);
        Assert.True(require.ClientCertificateValidation!(_ca1.ClientCertificate, null, System.Net.Security.SslPolicyErrors.None));
        Assert.True(require.ClientCertificateValidation!(_ca2.ClientCertificate, null, System.Net.Security.SslPolicyErrors.None));
        using var stranger = new TestCertificates();
        Assert.False(require.ClientCertificateValidation!(stranger.ClientCertificate, null, System.Net.Security.SslPolicyErrors.None));
    }

    [Fact]
    public void PeerTlsPresentsPeerCertElseCertAndTrustsPeerCaElseCa()
    {
        var both = Signed(_ca1, ca: _ca1.CaPem, peerCa: _ca2.CaPem);
        both.PeerCert = _ca2.ClientCertPem;
        both.PeerKey = _ca2.ClientKeyPem;
        var peer = PeerTls.Load(both);
        Assert.Equal(_ca2.ClientCertificate.Thumbprint, peer.ClientCertificate!.Thumbprint);
        Assert.Equal(_ca2.Ca.Thumbprint, Assert.Single(peer.Trust!).Thumbprint);

        var defaults = PeerTls.Load(Signed(_ca1, ca: _ca1.CaPem));
        Assert.Equal(_ca1.ServerCertificate.Thumbprint, defaults.ClientCertificate!.Thumbprint);
        Assert.Equal(_ca1.Ca.Thumbprint, Assert.Single(defaults.Trust!).Thumbprint);

        var none = PeerTls.Load(new AntiEtcdOptions());
        Assert.Null(none.ClientCertificate);
        Assert.Null(none.Trust);
    }

    [Theory]
    [InlineData("peer_ca")]
    [InlineData("peer_cert")]
    public void AnUnreadablePeerOptionNamesItself(string option)
    {
        var options = Signed(_ca1);
        if (option == "peer_ca")
        {
            options.PeerCa = "/nonexistent/peer-ca.pem";
        }
        else
        {
            options.PeerCert = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----";
            options.PeerKey = _ca1.ClientKeyPem;
        }

        var error = Assert.Throws<ArgumentException>(() => PeerTls.Load(options));
        Assert.Contains($"option {option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyPeerCaFileIsRefused()
    {
        var options = Signed(_ca1, peerCa: "-----BEGIN NOTHING-----\n-----END NOTHING-----\n");
        Assert.Throws<ArgumentException>(() => PeerTls.Load(options));
        Assert.Throws<ArgumentException>(() => TlsSettings.Load(options));
    }

    [Theory]
    [InlineData("peer_cert without peer_key", "peer_cert and peer_key must be given together")]
    [InlineData("peer_key without peer_cert", "peer_cert and peer_key must be given together")]
    [InlineData("peer_ca without cert", "peer_ca requires cert and key")]
    [InlineData("empty peer_ca", "must be a PEM file or PEM text")]
    public void ValidationRefusesIncompletePeerTlsOptions(string setup, string message)
    {
        var options = setup switch
        {
            "peer_cert without peer_key" => new AntiEtcdOptions { PeerCert = "peer.pem" },
            "peer_key without peer_cert" => new AntiEtcdOptions { PeerKey = "peer.key" },
            "peer_ca without cert" => new AntiEtcdOptions { PeerCa = "peer-ca.pem" },
            _ => new AntiEtcdOptions { Cert = "c.pem", Key = "k.pem", PeerCa = "" },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationAcceptsPeerTlsOptionsWithoutCa()
    {
        // SPEC §11.3: peer_ca no longer needs ca.
        new AntiEtcdOptions { Cert = "c.pem", Key = "k.pem", PeerCert = "p.pem", PeerKey = "p.key", PeerCa = "pca.pem" }.Validate();
    }
}
