package dev.sfd.report;

import dev.sfd.planner.SfdResult;
import dev.sfd.simulation.SimulationResult;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code report.json} and the summary add for the SFD planner: its planning details, the simulation of the
 * layer-by-layer plan it is compared with, and time per stage including the simulations.
 *
 * @param result the planner's details
 * @param layerwise simulation of the layer-by-layer plan
 * @param stageMillis wall time per stage, in order (planner stages, then simulation)
 */
public record SfdSection(SfdResult result, SimulationResult layerwise, Map<String, Long> stageMillis) {
    public SfdSection {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(layerwise, "layerwise");
        stageMillis = new LinkedHashMap<>(stageMillis);
    }

    /** Layer-by-layer latency over this plan's latency. */
    public double speedup(SimulationResult plan) {
        return plan.cycles() == 0 ? 0 : (double) layerwise.cycles() / plan.cycles();
    }
}
