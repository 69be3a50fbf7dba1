namespace AntiEtcd.Server.Cluster;

/// <summary>The three JSON messages of the peer handshake (SPEC §10.3).</summary>
internal enum HandshakeKind
{
    /// <summary><c>{"hello":{…}}</c>, server → client.</summary>
    Hello = 1,

    /// <summary><c>{"auth":{…}}</c>, client → server.</summary>
    Auth = 2,

    /// <summary><c>{"auth_ok":{"mac":…}}</c>, server → client.</summary>
    AuthOk = 3,
}
