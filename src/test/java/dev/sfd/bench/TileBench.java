package dev.sfd.bench;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.schedule.ListScheduler;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.segmentation.SegmenterSettings;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-segment tile work of the SFD planner over every segment of a network's DP plan on edge: building the
 * task graphs (the tile walk with task types), analysing the segments (the walk plus the analyser's replay), and
 * list-scheduling the prebuilt graphs. Tile events per second is an auxiliary counter. Run:
 * {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main TileBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class TileBench {
    @Param({"resnet50", "bert_base"})
    public String network;

    FusionPlan plan;
    PlanScheduler scheduler;
    SegmentAnalyzer analyzer;
    ListScheduler listScheduler;
    List<TaskGraph> graphs;

    /** Tile events handled, reported per second by JMH. */
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
        Network net = NetworkCatalog.resolve(network);
        Hardware hw = HardwareCatalog.resolve("edge");
        plan = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
        scheduler = new PlanScheduler(net, new CostModel(hw));
        analyzer = new SegmentAnalyzer(net, hw);
        listScheduler = new ListScheduler(hw);
        graphs = new ArrayList<>();
        for (int i = 0; i < plan.segments().size(); i++) {
            graphs.add(scheduler.graph(i, plan.segments().get(i), plan.mappings()));
        }
    }

    @Benchmark
    public void buildGraphs(Events counter, Blackhole bh) {
        for (int i = 0; i < plan.segments().size(); i++) {
            TaskGraph g = scheduler.graph(i, plan.segments().get(i), plan.mappings());
            counter.events += g.size();
            bh.consume(g);
        }
    }

    @Benchmark
    public void analyse(Events counter, Blackhole bh) {
        for (int i = 0; i < plan.segments().size(); i++) {
            SegmentAnalyzer.Analysis a = analyzer.analyze(i, plan.segments().get(i), plan.mappings());
            counter.events += a.tasks();
            bh.consume(a);
        }
    }

    @Benchmark
    public void schedule(Events counter, Blackhole bh) {
        for (TaskGraph g : graphs) {
            ScheduleOutcome o = listScheduler.schedule(g);
            counter.events += g.size();
            bh.consume(o);
        }
    }
}
