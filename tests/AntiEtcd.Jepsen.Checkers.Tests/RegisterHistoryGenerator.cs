using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Tests;

/// <summary>
/// Builds register histories from a sequential simulation of one real register per key: each op gets a random
/// window on its process's timeline and a random linearization point inside it, and the register is applied in
/// linearization-point order, so the history is linearizable by construction.
/// </summary>
internal static class RegisterHistoryGenerator
{
    /// <summary>A value no simulated write ever uses (they are all positive).</summary>
    public const long NeverWritten = -1;

    /// <summary>Generates a linearizable history.</summary>
    /// <param name="seed">Seed of the only randomness.</param>
    /// <param name="keys">Independent registers.</param>
    /// <param name="opsPerKey">Ops per key.</param>
    /// <param name="processes">Concurrent processes per key.</param>
    /// <param name="unknownPerKey">Writes/CASes per key whose outcome is unknown (about half of them take effect).</param>
    public static List<RegisterOp> Generate(int seed, int keys, int opsPerKey, int processes, int unknownPerKey)
    {
        var rng = new Random(seed);
        var history = new List<RegisterOp>(keys * opsPerKey);
        long nextValue = 1;
        for (int k = 0; k < keys; k++)
        {
            string key = "k" + k;
            var free = new long[processes];
            var planned = new List<Planned>(opsPerKey);
            for (int i = 0; i < opsPerKey; i++)
            {
                int p = rng.Next(processes);
                long invoke = free[p] + rng.Next(0, 50_000);
                // Mostly short windows, sometimes a long one that overlaps many others.
                long duration = rng.Next(10) == 0 ? rng.Next(1_000_000, 5_000_000) : rng.Next(1_000, 400_000);
                long linearizedAt = invoke + rng.NextInt64(0, duration + 1);
                free[p] = invoke + duration + 1;
                int roll = rng.Next(100);
                RegisterOpKind kind = roll < 50 ? RegisterOpKind.Read : roll < 80 ? RegisterOpKind.Write : RegisterOpKind.Cas;
                planned.Add(new Planned((k * processes) + p, kind, invoke, invoke + duration, linearizedAt));
            }

            for (int u = 0; u < unknownPerKey; u++)
            {
                int i = rng.Next(planned.Count);
                if (planned[i].Kind != RegisterOpKind.Read)
                {
                    planned[i].Unknown = true;
                    planned[i].TakesEffect = rng.Next(2) == 0;
                }
            }

            planned.Sort(static (a, b) => a.LinearizedAt.CompareTo(b.LinearizedAt));
            long? current = null;
            var written = new List<long>();
            foreach (Planned op in planned)
            {
                long complete = op.Unknown ? long.MaxValue : op.Complete;
                switch (op.Kind)
                {
                    case RegisterOpKind.Read:
                        if (rng.Next(100) == 0)
                        {
                            // An unknown read says nothing; give it a value that was never current.
                            history.Add(new RegisterOp(op.Process, key, op.Kind, NeverWritten, null, op.Invoke, long.MaxValue, Outcome.Unknown));
                        }
                        else
                        {
                            history.Add(new RegisterOp(op.Process, key, op.Kind, current, null, op.Invoke, complete, Outcome.Ok));
                        }

                        break;
                    case RegisterOpKind.Write:
                    {
                        long value = nextValue++;
                        bool fails = !op.Unknown && rng.Next(50) == 0;
                        Outcome outcome = op.Unknown ? Outcome.Unknown : fails ? Outcome.Fail : Outcome.Ok;
                        if (!fails && (!op.Unknown || op.TakesEffect))
                        {
                            current = value;
                            written.Add(value);
                        }

                        history.Add(new RegisterOp(op.Process, key, op.Kind, value, null, op.Invoke, complete, outcome));
                        break;
                    }

                    default:
                    {
                        long value = nextValue++;
                        long? expected = rng.Next(2) == 0 || written.Count == 0 ? current : written[rng.Next(written.Count)];
                        bool succeeds = expected == current && (!op.Unknown || op.TakesEffect);
                        if (succeeds)
                        {
                            current = value;
                            written.Add(value);
                        }

                        Outcome outcome = op.Unknown ? Outcome.Unknown : succeeds ? Outcome.Ok : Outcome.Fail;
                        history.Add(new RegisterOp(op.Process, key, op.Kind, value, expected, op.Invoke, complete, outcome));
                        break;
                    }
                }
            }
        }

        // The checker must not depend on the order ops are recorded in.
        for (int i = history.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (history[i], history[j]) = (history[j], history[i]);
        }

        return history;
    }

    private sealed class Planned(int process, RegisterOpKind kind, long invoke, long complete, long linearizedAt)
    {
        public int Process { get; } = process;

        public RegisterOpKind Kind { get; } = kind;

        public long Invoke { get; } = invoke;

        public long Complete { get; } = complete;

        public long LinearizedAt { get; } = linearizedAt;

        public bool Unknown { get; set; }

        public bool TakesEffect { get; set; }
    }
}
