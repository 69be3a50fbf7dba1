using AntiEtcd.Raft;

namespace AntiEtcd.Simulation.Tests;

/// <summary>One scheduled step of the simulation.</summary>
internal sealed class SimEvent
{
    public required SimEventKind Kind { get; init; }
    public long Time { get; set; }
    public int Node { get; init; } = -1;
    public int Incarnation { get; init; }
    public Message? Message { get; init; }
    public int Peer { get; init; } = -1;
    public bool Flag { get; init; }
    public Ready? Ready { get; init; }

    public ulong Index { get; init; }

    /// <summary>Filled in when the event runs, for the failure trace.</summary>
    public string? Note { get; set; }

    public override string ToString()
    {
        var s = $"t={Time,6} {Kind}";
        if (Node >= 0)
        {
            s += $" n{Node + 1}";
        }

        if (Message is not null)
        {
            s += $" [{Message}]";
        }

        if (Peer >= 0)
        {
            s += $" peer=n{Peer + 1} ok={Flag}";
        }

        return Note is null ? s : $"{s} {Note}";
    }
}
