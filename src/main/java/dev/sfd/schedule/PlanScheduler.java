package dev.sfd.schedule;

import dev.sfd.cost.Mapping;
import dev.sfd.cost.TileCycleModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Builds and list-schedules the task graphs of segments: the last step of every planner. */
public final class PlanScheduler {
    private final Network net;
    private final Hardware hw;
    private final TileGraphBuilder builder;
    private final ListScheduler scheduler;

    public PlanScheduler(Network net, Hardware hw, TileCycleModel cycles) {
        this.net = Objects.requireNonNull(net, "net");
        this.hw = Objects.requireNonNull(hw, "hw");
        this.builder = new TileGraphBuilder(net, hw, cycles);
        this.scheduler = new ListScheduler(hw);
    }

    /** Segment index of every operator. */
    public static Map<String, Integer> segmentIndex(List<List<String>> segments) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            for (String op : segments.get(i)) {
                m.put(op, i);
            }
        }
        return m;
    }

    /** The task graph of segment {@code index} of {@code segments}. */
    public TaskGraph graph(int index, List<List<String>> segments, Map<String, Mapping> mappings,
                           Map<String, Integer> segmentOf) {
        return builder.build(index, segments.get(index), mappings, segmentOf);
    }

    /** Schedules segment {@code index} of {@code segments}. */
    public ScheduleOutcome schedule(int index, List<List<String>> segments, Map<String, Mapping> mappings,
                                    Map<String, Integer> segmentOf) {
        TaskGraph g = builder.build(index, segments.get(index), mappings, segmentOf);
        return scheduler.schedule(g);
    }

    public Hardware hardware() {
        return hw;
    }

    public Network network() {
        return net;
    }
}
