namespace AntiEtcd.Server.Cluster;

/// <summary>The leader's answer to a <see cref="ForwardRequest"/>, one <see cref="PeerFrameType.ForwardReply"/> frame on the request's connection.</summary>
/// <param name="Id">The request's ID.</param>
/// <param name="Status">Ok, error or not leader.</param>
/// <param name="Index">Ok write: the entry's log index.</param>
/// <param name="Term">Ok write: the entry's term.</param>
/// <param name="Body">Ok: the JSON response as the leader would send it. Error: the UTF-8 message.</param>
/// <param name="HttpStatus">Error: the HTTP status.</param>
/// <param name="GrpcCode">Error: the gRPC code.</param>
internal sealed record ForwardReply(ulong Id, ForwardStatus Status, ulong Index, ulong Term, ReadOnlyMemory<byte> Body, int HttpStatus, int GrpcCode);
