using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.1 <c>--cert --key --ca</c>: anticli over HTTPS and WSS to a server that requires client certificates.</summary>
[Collection("processes")]
public sealed class AnticliTlsTests : IDisposable
{
    private const int SigInt = 2;
    private readonly string _dir = Directory.CreateTempSubdirectory("anticli-tls-").FullName;

    public AnticliTlsTests()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=anticli test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        System.IO.File.WriteAllText(Path.Combine(_dir, "ca.pem"), ca.ExportCertificatePem());
        Issue(ca, "server", server: true);
        Issue(ca, "client", server: false);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Https_and_wss_work_with_a_client_certificate_and_fail_without_the_right_files()
    {
        await using var server = ServerProcess.Start(
            "--port", "0", "--cert", File("server.pem"), "--key", File("server.key"), "--ca", File("ca.pem"), "--client_cert_auth", "1");
        var url = $"https://127.0.0.1:{await server.WaitForPortAsync()}";
        string[] tls = ["-e", url, "--ca", File("ca.pem"), "--cert", File("client.pem"), "--key", File("client.key")];

        Assert.Equal("OK\n", (await AnticliProcess.RunAsync([.. tls, "put", "tls/key", "secure"])).Stdout);
        Assert.Equal("secure\n", (await AnticliProcess.RunAsync([.. tls, "get", "tls/key", "-v"])).Stdout);

        await using (var watch = AnticliProcess.Start(null, [.. tls, "watch", "tls/key"]))
        {
            await watch.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
            await AnticliProcess.RunAsync([.. tls, "put", "tls/key", "watched"]);
            await watch.WaitForStdoutAsync(o => o.Contains("\"watched\"", StringComparison.Ordinal));
            watch.Signal(SigInt);
            Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        var untrusted = await AnticliProcess.RunAsync("-e", url, "--cert", File("client.pem"), "--key", File("client.key"), "get", "tls/key");
        Assert.Equal(1, untrusted.ExitCode);
        Assert.StartsWith($"{url}/v3/kv/txn: ", untrusted.Stderr, StringComparison.Ordinal);

        var anonymous = await AnticliProcess.RunAsync("-e", url, "--ca", File("ca.pem"), "get", "tls/key");
        Assert.Equal(1, anonymous.ExitCode);
        Assert.StartsWith($"{url}/v3/kv/txn: ", anonymous.Stderr, StringComparison.Ordinal);

        var missing = await AnticliProcess.RunAsync("-e", url, "--ca", Path.Combine(_dir, "none.pem"), "get", "tls/key");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("anticli: cannot use the TLS files: ", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ca_file_without_a_certificate_is_reported_on_one_plain_line_and_exits_1()
    {
        var empty = File("empty.pem");
        await System.IO.File.WriteAllTextAsync(empty, "not a certificate\n", TestContext.Current.CancellationToken);
        var result = await AnticliProcess.RunAsync("-e", "https://127.0.0.1:1", "--ca", empty, "get", "k");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"anticli: cannot use the TLS files: no certificate found in {empty}\n", result.Stderr);
    }

    private string File(string name) => Path.Combine(_dir, name);

    private void Issue(X509Certificate2 ca, string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [1, 2, 3, (byte)(server ? 4 : 5)]);
        System.IO.File.WriteAllText(File(name + ".pem"), issued.ExportCertificatePem());
        System.IO.File.WriteAllText(File(name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }
}
