package dev.sfd.schedule.cpsat;

import dev.sfd.common.OrToolsNatives;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CumulativeConstraint;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.IntervalVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.ReservoirConstraint;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.schedule.TaskResource;
import dev.sfd.schedule.TileTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CP-SAT model of one segment's tile schedule, with the list scheduler's semantics: a task occupies its resource
 * for its busy cycles and completes after its duration (DMA: busy = transfer, duration = latency + transfer);
 * it starts after its dependencies complete; its buffer is allocated when it starts and a FREE releases buffers
 * when it starts; occupancy never exceeds the capacity. Objective: makespan.
 */
public final class TileScheduleModel {
    final TaskGraph graph;
    final long capacityBytes;
    final int dmaEngines;
    final CpModel model = new CpModel();
    final IntVar[] start;
    final IntVar[] end;
    final IntervalVar[] busy;
    IntVar makespan;

    public TileScheduleModel(TaskGraph graph, Hardware hw, long capacityBytes) {
        OrToolsNatives.ensureLoaded();
        this.graph = Objects.requireNonNull(graph, "graph");
        this.capacityBytes = capacityBytes;
        this.dmaEngines = Math.max(1, hw.dram().dmaEngines());
        int n = graph.size();
        start = new IntVar[n];
        end = new IntVar[n];
        busy = new IntervalVar[n];
        long horizon = 0;
        for (long d : graph.durations()) {
            horizon += d;
        }
        horizon = Math.max(1, horizon);
        for (int i = 0; i < n; i++) {
            TileTask t = graph.tasks().get(i);
            String name = "task[" + i + "][" + t.kind() + " " + t.operator() + "]";
            start[i] = model.newIntVar(0, horizon, "start" + name);
            end[i] = model.newIntVar(0, horizon, "end" + name);
            model.addEquality(end[i], LinearExpr.newBuilder().add(start[i]).add(graph.durations()[i]).build());
            busy[i] = model.newFixedSizeIntervalVar(start[i], graph.busyCycles()[i], "busy" + name);
        }
        addDependencyPrecedence();
        addResourceCapacity();
        addBufferCapacity();
        addMakespan(horizon);
    }

    void addDependencyPrecedence() {
        for (int i = 0; i < graph.size(); i++) {
            for (int d : graph.tasks().get(i).deps()) {
                model.addGreaterOrEqual(start[i], end[d]);
            }
        }
    }

    void addResourceCapacity() {
        List<IntervalVar> pe = new ArrayList<>();
        List<IntervalVar> vector = new ArrayList<>();
        List<IntervalVar> dma = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            TaskResource r = graph.resources().get(i);
            switch (r) {
                case PE_ARRAY -> pe.add(busy[i]);
                case VECTOR -> vector.add(busy[i]);
                case DMA -> dma.add(busy[i]);
                case NONE -> {
                }
            }
        }
        model.addNoOverlap(pe);
        model.addNoOverlap(vector);
        if (dmaEngines == 1) {
            model.addNoOverlap(dma);
        } else {
            CumulativeConstraint c = model.addCumulative(dmaEngines);
            for (IntervalVar v : dma) {
                c.addDemand(v, 1);
            }
        }
    }

    void addBufferCapacity() {
        ReservoirConstraint reservoir = model.addReservoirConstraint(0, capacityBytes);
        for (int i = 0; i < graph.size(); i++) {
            TileTask t = graph.tasks().get(i);
            if (t.allocates() >= 0) {
                reservoir.addEvent(start[i], graph.buffers().get(t.allocates()).bytes());
            }
            long released = 0;
            for (int b : t.frees()) {
                released += graph.buffers().get(b).bytes();
            }
            if (released > 0) {
                reservoir.addEvent(start[i], -released);
            }
        }
    }

    void addMakespan(long horizon) {
        makespan = model.newIntVar(0, horizon, "makespan");
        model.addMaxEquality(makespan, end);
        model.minimize(makespan);
    }
}
