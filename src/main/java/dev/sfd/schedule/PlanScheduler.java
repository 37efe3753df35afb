package dev.sfd.schedule;

import dev.sfd.cost.Mapping;
import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.segmentation.TileWalk;
import dev.sfd.workload.Network;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Builds and list-schedules the task graphs of segments: the last step of every planner. */
public final class PlanScheduler {
    private final Network net;
    private final Hardware hw;
    private final TileGraphBuilder builder;
    private final ListScheduler scheduler;

    public PlanScheduler(Network net, CostModel cost) {
        this.net = Objects.requireNonNull(net, "net");
        this.hw = Objects.requireNonNull(cost, "cost").hardware();
        this.builder = new TileGraphBuilder(net, cost);
        this.scheduler = new ListScheduler(hw);
    }

    /** The task graph of one segment. */
    public TaskGraph graph(int index, List<String> operators, Map<String, Mapping> mappings) {
        return builder.build(index, operators, mappings);
    }

    /**
     * The task graph of one segment, or empty when it would have more than {@code maxTasks} tasks (found out
     * without building more than that many).
     */
    public Optional<TaskGraph> graph(int index, List<String> operators, Map<String, Mapping> mappings, long maxTasks) {
        try {
            return Optional.of(builder.build(index, operators, mappings, maxTasks));
        } catch (TileWalk.TooManyEvents e) {
            return Optional.empty();
        }
    }

    /** Schedules one segment. */
    public ScheduleOutcome schedule(int index, List<String> operators, Map<String, Mapping> mappings) {
        return schedule(graph(index, operators, mappings));
    }

    /** Schedules one segment's task graph. */
    public ScheduleOutcome schedule(TaskGraph graph) {
        return scheduler.schedule(graph);
    }

    public Hardware hardware() {
        return hw;
    }

    public Network network() {
        return net;
    }
}
