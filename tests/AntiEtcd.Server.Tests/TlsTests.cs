using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §10.1: HTTPS for clients, with and without required client certificates.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Https_serves_the_api_with_pem_text_options()
    {
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Cert = _certificates.ServerCertPem, Key = _certificates.ServerKeyPem });
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var http = Client(server, clientCertificate: null);
        using var response = await http.PostAsync("/v3/kv/put", new StringContent("{\"key\":\"Zm9v\",\"value\":\"YmFy\"}", Encoding.UTF8), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Https_reads_pem_files()
    {
        var dir = Directory.CreateTempSubdirectory("antietcd-tls-");
        try
        {
            var cert = Path.Combine(dir.FullName, "server.pem");
            var key = Path.Combine(dir.FullName, "server-key.pem");
            await File.WriteAllTextAsync(cert, _certificates.ServerCertPem, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(key, _certificates.ServerKeyPem, TestContext.Current.CancellationToken);
            await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Cert = cert, Key = key });
            await server.StartAsync(TestContext.Current.CancellationToken);
            using var http = Client(server, clientCertificate: null);
            using var response = await http.GetAsync("/version", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Client_cert_auth_refuses_a_client_without_a_certificate()
    {
        await using var server = new AntiEtcdServer(new AntiEtcdOptions
        {
            Port = 0,
            Cert = _certificates.ServerCertPem,
            Key = _certificates.ServerKeyPem,
            Ca = _certificates.CaPem,
            ClientCertAuth = true,
        });
        await server.StartAsync(TestContext.Current.CancellationToken);

        using (var anonymous = Client(server, clientCertificate: null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync("/version", TestContext.Current.CancellationToken));
        }

        using var authenticated = Client(server, _certificates.ClientCertificate);
        using var response = await authenticated.PostAsync("/v3/kv/range", new StringContent("{\"key\":\"Zm9v\"}", Encoding.UTF8), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Client_cert_auth_without_a_ca_refuses_to_start()
    {
        var error = Assert.Throws<ArgumentException>(() => new AntiEtcdServer(new AntiEtcdOptions
        {
            Cert = _certificates.ServerCertPem,
            Key = _certificates.ServerKeyPem,
            ClientCertAuth = true,
        }));
        Assert.Contains("client_cert_auth", error.Message, StringComparison.Ordinal);
    }

    private HttpClient Client(AntiEtcdServer server, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(_certificates.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 c && chain.Build(c);
                },
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{server.LocalPort}") };
    }
}
