using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AntiEtcd.Server.Hosting;

/// <summary>The client-facing TLS settings of SPEC §10.1, loaded once at start.</summary>
internal sealed class TlsSettings
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection? _clientCa;
    private readonly bool _requireClientCertificate;

    private TlsSettings(X509Certificate2 certificate, X509Certificate2Collection? clientCa, bool requireClientCertificate)
    {
        _certificate = certificate;
        _clientCa = clientCa;
        _requireClientCertificate = requireClientCertificate;
    }

    /// <summary>Loads the settings, or returns null when the node serves plain HTTP.</summary>
    /// <exception cref="ArgumentException">A file that cannot be read or parsed; the message names the option.</exception>
    public static TlsSettings? Load(AntiEtcdOptions options)
    {
        if (options.Cert is null || options.Key is null)
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPem(ReadPem(options.Cert, "cert"), ReadPem(options.Key, "key"));
            // Kestrel needs the key in a form the platform's TLS stack can use.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            throw new ArgumentException($"option cert/key: cannot load the certificate and key: {ex.Message}", nameof(options), ex);
        }

        X509Certificate2Collection? ca = null;
        if (options.Ca is not null)
        {
            ca = [];
            try
            {
                ca.ImportFromPem(ReadPem(options.Ca, "ca"));
            }
            catch (Exception ex) when (ex is not ArgumentException)
            {
                throw new ArgumentException($"option ca: cannot load the CA certificates: {ex.Message}", nameof(options), ex);
            }
        }

        return new TlsSettings(certificate, ca, options.ClientCertAuth);
    }

    /// <summary>True when a client certificate chains to the configured <c>ca</c>.</summary>
    public bool ChainsToCa(X509Certificate2 certificate)
    {
        if (_clientCa is null || _clientCa.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>Applies the settings to a Kestrel HTTPS endpoint.</summary>
    public void Configure(HttpsConnectionAdapterOptions https)
    {
        https.ServerCertificate = _certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.CheckCertificateRevocation = false;
        if (_requireClientCertificate)
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => ChainsToCa(certificate);
        }
    }

    private static string ReadPem(string value, string option)
    {
        if (value.StartsWith("-----", StringComparison.Ordinal))
        {
            return value;
        }

        try
        {
            return File.ReadAllText(value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"option {option}: cannot read {value}: {ex.Message}", option, ex);
        }
    }
}
