package dev.sfd.bench;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Whole-network simulation of layer-by-layer plans on edge: time per simulation, and simulator events per
 * second (task issues and completions) as an auxiliary counter. Run:
 * {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main SimulatorBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SimulatorBench {
    @Param({"resnet50", "bert_base"})
    public String network;

    Network net;
    Plan plan;
    CostModel cost;

    /** Events simulated, reported per second by JMH. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    @Setup(Level.Trial)
    public void plan() {
        net = NetworkCatalog.resolve(network);
        Hardware hw = HardwareCatalog.resolve("edge");
        plan = new LayerwisePlanner().plan(new PlanRequest(net, new NetworkRef(network, 1), hw));
        cost = new CostModel(hw);
    }

    @Benchmark
    public SimulationResult simulate(Events counter) {
        SimulationResult r = new Simulator(net, false).run(plan);
        counter.events += r.events();
        return r;
    }
}
