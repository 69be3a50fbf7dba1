using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AntiEtcd.Server.Tests;

/// <summary>A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, as PEM text.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=AntiEtcd Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        (ServerCertificate, ServerCertPem, ServerKeyPem) = Issue("CN=127.0.0.1", server: true);
        (ClientCertificate, ClientCertPem, ClientKeyPem) = Issue("CN=test-client", server: false);
        CaPem = Ca.ExportCertificatePem();
    }

    public X509Certificate2 Ca { get; }

    public string CaPem { get; }

    public X509Certificate2 ServerCertificate { get; }

    public string ServerCertPem { get; }

    public string ServerKeyPem { get; }

    /// <summary>A client certificate with its private key, signed by <see cref="Ca"/>.</summary>
    public X509Certificate2 ClientCertificate { get; }

    public string ClientCertPem { get; }

    public string ClientKeyPem { get; }

    public void Dispose()
    {
        Ca.Dispose();
        ServerCertificate.Dispose();
        ClientCertificate.Dispose();
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }
    }

    /// <summary>Another server certificate signed by <see cref="Ca"/>, with exactly the given names (for name-check tests).</summary>
    public (string CertPem, string KeyPem) IssueServer(string subject, System.Net.IPAddress? ipSan, string? dnsSan)
    {
        var (certificate, certPem, keyPem) = Issue(subject, server: true, ipSan, dnsSan);
        _issued.Add(certificate);
        return (certPem, keyPem);
    }

    private (X509Certificate2 Certificate, string CertPem, string KeyPem) Issue(string subject, bool server) =>
        Issue(subject, server, server ? System.Net.IPAddress.Loopback : null, server ? "localhost" : null);

    private (X509Certificate2 Certificate, string CertPem, string KeyPem) Issue(string subject, bool server, System.Net.IPAddress? ipSan, string? dnsSan)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (ipSan is not null || dnsSan is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            if (ipSan is not null)
            {
                san.AddIpAddress(ipSan);
            }

            if (dnsSan is not null)
            {
                san.AddDnsName(dnsSan);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        var withKey = issued.CopyWithPrivateKey(key);
        // Re-load through PKCS#12 so the key is usable by the platform's TLS stack.
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        withKey.Dispose();
        return (usable, issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
