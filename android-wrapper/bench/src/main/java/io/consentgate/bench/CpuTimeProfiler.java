package io.consentgate.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU nanoseconds per operation, next to JMH's wall-clock score ({@code -prof
 * io.consentgate.bench.CpuTimeProfiler}): the CPU time of every thread of the benchmark JVM
 * (workers, and the JIT and GC threads, so allocation is paid for) over an iteration, divided by
 * the operations of that iteration, all threads together.
 *
 * Why: these machines have two cores shared with other work. When another process holds a core,
 * two benchmark threads take turns on the other and JMH's time per operation doubles although
 * the code did not change. CPU time does not count the turns; with two threads it is the CPU
 * time one operation takes, comparable with the one-thread figure.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long startNs;

    @Override
    public String getDescription() {
        return "CPU time of all JVM threads per operation";
    }

    private long cpuNow() {
        long sum = 0;
        for (long t : threads.getThreadCpuTime(threads.getAllThreadIds())) {
            if (t > 0) sum += t;
        }
        return sum;
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startNs = cpuNow();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpu = cpuNow() - startNs;
        long ops = result.getMetadata().getAllOps();
        double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
        return List.of(new ScalarResult("cpu.ns/op", perOp, "ns/op", AggregationPolicy.AVG));
    }
}
