using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AntiEtcd.Client;

/// <summary>The TLS material of a client, loaded once and shared by HTTP and WebSocket connections.</summary>
internal sealed class ClientTls
{
    private ClientTls(X509Certificate2? clientCertificate, X509Certificate2Collection? caCertificates)
    {
        ClientCertificate = clientCertificate;
        CaCertificates = caCertificates;
    }

    public X509Certificate2? ClientCertificate { get; }

    public X509Certificate2Collection? CaCertificates { get; }

    /// <summary>Reads the PEM files (or PEM texts) of the options.</summary>
    /// <exception cref="ArgumentException">A certificate without a key, or a key without a certificate.</exception>
    public static ClientTls Load(AntiEtcdClientOptions options)
    {
        if ((options.CertificateFile is null) != (options.KeyFile is null))
        {
            throw new ArgumentException("a client certificate needs both a certificate and a key", nameof(options));
        }

        X509Certificate2? clientCertificate = null;
        if (options.CertificateFile is not null && options.KeyFile is not null)
        {
            using var ephemeral = X509Certificate2.CreateFromPem(ReadPem(options.CertificateFile), ReadPem(options.KeyFile));
            // An ephemeral PEM key cannot be used by SslStream on every platform; a PKCS#12 round trip can.
            clientCertificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }

        X509Certificate2Collection? ca = null;
        if (options.CaFile is not null)
        {
            ca = [];
            ca.ImportFromPem(ReadPem(options.CaFile));
            if (ca.Count == 0)
            {
                throw new ArgumentException($"no certificate found in {options.CaFile}", nameof(options));
            }
        }

        return new ClientTls(clientCertificate, ca);
    }

    /// <summary>
    /// Checks a server certificate: with a CA, the chain must end at one of its certificates (the
    /// host name must still match); without one, the system's verdict stands.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (CaCertificates is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(CaCertificates);
        if (chain is not null)
        {
            // Intermediates the server sent along with its certificate.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    /// <summary>PEM text given inline (as the server accepts it, SPEC §11.2) or the content of a file.</summary>
    private static string ReadPem(string fileOrPem) =>
        fileOrPem.StartsWith("-----", StringComparison.Ordinal) ? fileOrPem : File.ReadAllText(fileOrPem);
}
