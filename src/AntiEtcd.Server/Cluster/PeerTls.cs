using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The dialling side of peer TLS (SPEC §10.2), applied to each outgoing peer WebSocket through
/// <see cref="PeerTransportOptions.ConfigureClient"/>: present <c>peer_cert</c>/<c>peer_key</c> (default
/// <c>cert</c>/<c>key</c>) and trust only <c>peer_ca</c> (else <c>ca</c>, else the system roots) for the peer's
/// server certificate, whose name must match the URL host. Only <c>https://</c> peer URLs use any of it.
/// </summary>
internal sealed class PeerTls
{
    private readonly X509Certificate2? _clientCertificate;
    private readonly X509Certificate2Collection? _trust;

    private PeerTls(X509Certificate2? clientCertificate, X509Certificate2Collection? trust)
    {
        _clientCertificate = clientCertificate;
        _trust = trust;
    }

    /// <summary>The certificate presented to peers, or null when neither <c>peer_cert</c> nor <c>cert</c> is set.</summary>
    public X509Certificate2? ClientCertificate => _clientCertificate;

    /// <summary>The roots a peer's server certificate must chain to; null means the system roots.</summary>
    public X509Certificate2Collection? Trust => _trust;

    /// <summary>Loads the files once, at start, so a bad file refuses the start instead of failing every dial.</summary>
    /// <exception cref="ArgumentException">A file that cannot be read or parsed; the message names the option.</exception>
    public static PeerTls Load(AntiEtcdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2? certificate = null;
        if (options.PeerCert is not null && options.PeerKey is not null)
        {
            certificate = TlsSettings.LoadCertificate(options.PeerCert, options.PeerKey, "peer_cert", "peer_key");
        }
        else if (options.Cert is not null && options.Key is not null)
        {
            certificate = TlsSettings.LoadCertificate(options.Cert, options.Key, "cert", "key");
        }

        var trust = options.PeerCa is not null
            ? TlsSettings.LoadCaCertificates(options.PeerCa, "peer_ca")
            : TlsSettings.LoadCaCertificates(options.Ca, "ca");
        return new PeerTls(certificate, trust);
    }

    /// <summary>The <see cref="PeerTransportOptions.ConfigureClient"/> hook of a server node.</summary>
    /// <exception cref="ArgumentException">As <see cref="Load"/>.</exception>
    public static Action<ClientWebSocketOptions> CreateConfigureClient(AntiEtcdOptions options) => Load(options).Configure;

    /// <summary>Applies the settings to one outgoing peer WebSocket before it dials.</summary>
    public void Configure(ClientWebSocketOptions client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_clientCertificate is not null)
        {
            client.ClientCertificates.Add(_clientCertificate);
        }

        if (_trust is not null)
        {
            client.RemoteCertificateValidationCallback = ValidateServerCertificate;
        }
    }

    /// <summary>
    /// Accepts the peer's server certificate when its name matches the URL host (the TLS stack checks DNS names and
    /// IP SANs and reports a mismatch) and it chains to <see cref="Trust"/> alone. The stack's own chain verdict is
    /// about the system roots, so the chain is built again against the configured roots.
    /// </summary>
    internal bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (_trust is null)
        {
            return errors == SslPolicyErrors.None;
        }

        // Intermediates the peer sent, so a chain through them can be built against our roots.
        X509Certificate2Collection? extra = null;
        if (chain is not null)
        {
            extra = [];
            extra.AddRange(chain.ChainPolicy.ExtraStore);
            for (var i = 1; i < chain.ChainElements.Count; i++)
            {
                extra.Add(chain.ChainElements[i].Certificate);
            }
        }

        if (certificate is X509Certificate2 certificate2)
        {
            return TlsSettings.ChainsTo(certificate2, _trust, extra, TlsSettings.ServerAuthentication);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return TlsSettings.ChainsTo(copy, _trust, extra, TlsSettings.ServerAuthentication);
    }
}
