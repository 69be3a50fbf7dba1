namespace AntiEtcd.LoadGen.Tests;

/// <summary>The latency histogram behind every p50/p90/p99 of the benchmark tables (<see cref="LatencyHistogram"/>).</summary>
public sealed class LatencyHistogramTests
{
    private const long NsPerMicrosecond = 1_000;

    [Fact]
    public void ValuesBelow256Nanoseconds_AreExact()
    {
        for (var value = 0L; value < 256; value++)
        {
            var histogram = new LatencyHistogram();
            histogram.Record(value);
            histogram.Record(value);

            Assert.Equal(value, histogram.ValueAtPercentile(50));
            Assert.Equal(value, LatencyHistogram.MiddleOf(LatencyHistogram.IndexOf(value)));
        }
    }

    [Fact]
    public void EveryBucket_HoldsItsValuesWithinHalfAPercent()
    {
        // 128 buckets per power of two: the middle of a bucket is at most 1/256 of the value away.
        for (var value = 256L; value < (1L << 22); value++)
        {
            var middle = LatencyHistogram.MiddleOf(LatencyHistogram.IndexOf(value));
            Assert.True(Math.Abs(middle - value) <= value / 256.0, $"{value} is reported as {middle}");
        }
    }

    [Fact]
    public void Percentiles_OfOneToTenThousandMicroseconds_AreWithinTheStatedPrecision()
    {
        var histogram = new LatencyHistogram();
        for (var us = 1L; us <= 10_000; us++)
        {
            histogram.Record(us * NsPerMicrosecond);
        }

        Assert.Equal(10_000, histogram.Count);
        Assert.Equal(1 * NsPerMicrosecond, histogram.MinNanoseconds);
        Assert.Equal(10_000 * NsPerMicrosecond, histogram.MaxNanoseconds);
        Assert.Equal(5_000.5 * NsPerMicrosecond, histogram.SumNanoseconds / histogram.Count);
        foreach (var percentile in new[] { 1m, 10m, 25m, 50m, 75m, 90m, 99m, 99.9m })
        {
            // The exact percentile: the value of rank ceil(p% of the count) in the sorted values.
            var exact = (long)decimal.Ceiling(percentile / 100 * 10_000) * NsPerMicrosecond;
            var reported = histogram.ValueAtPercentile((double)percentile);
            Assert.True(Math.Abs(reported - exact) <= exact * 0.008, $"p{percentile}: {reported} ns, exactly {exact} ns");
        }
    }

    [Fact]
    public void Percentile100_IsTheExactMax()
    {
        var histogram = new LatencyHistogram();
        for (var us = 1L; us <= 10_000; us++)
        {
            histogram.Record(us * NsPerMicrosecond);
        }

        // 10 ms lies in a bucket 65536 ns wide whose middle is below it.
        Assert.Equal(10_000 * NsPerMicrosecond, histogram.ValueAtPercentile(100));
    }

    [Theory]
    [InlineData(515)]
    [InlineData(1_023)]
    [InlineData(10_000_000)]
    public void Percentiles_OfOneRepeatedValue_AreThatValue(long value)
    {
        // The middle of the value's bucket is not a recorded value: every percentile lies between the min and the max.
        var histogram = new LatencyHistogram();
        histogram.Record(value);
        histogram.Record(value);
        histogram.Record(value);

        Assert.Equal(value, histogram.ValueAtPercentile(0));
        Assert.Equal(value, histogram.ValueAtPercentile(50));
        Assert.Equal(value, histogram.ValueAtPercentile(99));
        Assert.Equal(value, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Add_MergesCountsMinMaxAndSum()
    {
        var first = new LatencyHistogram();
        first.Record(300);
        first.Record(5_000);
        var second = new LatencyHistogram();
        second.Record(100);
        second.Record(9_000_000);
        second.Record(9_000_000);

        first.Add(second);

        Assert.Equal(5, first.Count);
        Assert.Equal(100, first.MinNanoseconds);
        Assert.Equal(9_000_000, first.MaxNanoseconds);
        Assert.Equal(300 + 5_000 + 100 + 9_000_000 + 9_000_000, first.SumNanoseconds);

        // The counts merged too: ranks 1..5 are 100, 300, 5000, 9e6, 9e6.
        Assert.Equal(100, first.ValueAtPercentile(20));
        Assert.InRange(first.ValueAtPercentile(40), 300 * 0.992, 300 * 1.008);
        Assert.InRange(first.ValueAtPercentile(60), 5_000 * 0.992, 5_000 * 1.008);
        Assert.InRange(first.ValueAtPercentile(80), 9_000_000 * 0.992, 9_000_000 * 1.008);

        // The source is left as it was.
        Assert.Equal(3, second.Count);
        Assert.Equal(100, second.MinNanoseconds);
    }

    [Fact]
    public void Add_OfAnEmptyHistogram_ChangesNothing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000);
        histogram.Record(2_000);

        histogram.Add(new LatencyHistogram());

        Assert.Equal(2, histogram.Count);
        Assert.Equal(1_000, histogram.MinNanoseconds);
        Assert.Equal(2_000, histogram.MaxNanoseconds);
        Assert.Equal(3_000, histogram.SumNanoseconds);
    }

    [Fact]
    public void NegativeValues_AreRecordedAsZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);

        Assert.Equal(0, histogram.MinNanoseconds);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(0, histogram.SumNanoseconds);
    }

    [Fact]
    public void AnEmptyHistogram_ReportsZero()
    {
        Assert.Equal(0, new LatencyHistogram().ValueAtPercentile(99));
    }
}
