package dev.sfd.schedule.cpsat;

import dev.sfd.common.Interruption;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.TaskGraph;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;

/** Solves {@link TileScheduleModel} and decodes the result into an {@link ExactSchedule}. */
public final class TileScheduleSolver {
    private static final Logger LOGGER = LogManager.getLogger();

    private final TaskGraph graph;
    private final Hardware hw;
    private final long capacityBytes;

    public TileScheduleSolver(TaskGraph graph, Hardware hw, long capacityBytes) {
        this.graph = graph;
        this.hw = hw;
        this.capacityBytes = capacityBytes;
    }

    public ExactSchedule solve(TileScheduleSettings settings) {
        return solve(settings, null);
    }

    /** @param hintStarts a known feasible start time per task (e.g. the list schedule's), or null */
    public ExactSchedule solve(TileScheduleSettings settings, long[] hintStarts) {
        long t0 = System.nanoTime();
        TileScheduleModel m = new TileScheduleModel(graph, hw, capacityBytes);
        if (hintStarts != null) {
            for (int i = 0; i < hintStarts.length; i++) {
                m.model.addHint(m.start[i], hintStarts[i]);
            }
        }
        CpSolver solver = new CpSolver();
        solver.getParameters().setNumWorkers(settings.workers());
        solver.getParameters().setRandomSeed(settings.seed());
        solver.getParameters().setMaxTimeInSeconds(settings.timeLimitSeconds());
        if (settings.deterministicSeconds() > 0) {
            solver.getParameters().setMaxDeterministicTime(settings.deterministicSeconds());
        }
        CpSolverStatus status = Interruption.solve(solver, m.model);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOGGER.debug("Segment ({}) exact schedule: ({}) tasks, status ({}) in ({} ms)", graph.index(), graph.size(),
                status, ms);
        if (status != CpSolverStatus.OPTIMAL && status != CpSolverStatus.FEASIBLE) {
            return new ExactSchedule(status.name(), -1, (long) solver.bestObjectiveBound(), List.of(), ms);
        }
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            starts.add(solver.value(m.start[i]));
        }
        return new ExactSchedule(status.name(), solver.value(m.makespan), (long) Math.ceil(solver.bestObjectiveBound()),
                starts, ms);
    }
}
