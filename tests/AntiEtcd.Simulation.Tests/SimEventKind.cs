namespace AntiEtcd.Simulation.Tests;

internal enum SimEventKind
{
    Tick,
    Deliver,
    ProcessReady,
    Persist,
    ReportSnapshot,
    ClientWrite,
    ClientRead,
    Nemesis,
    Restart,
    TakeSnapshot,
    Quiesce,
    SnapshotForIncomplete,
}
