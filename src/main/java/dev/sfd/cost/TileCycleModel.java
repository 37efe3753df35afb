package dev.sfd.cost;

import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;

import java.util.Map;

/**
 * Cycles to produce one output tile (all its reduction steps included). The shared cost model provides it
 * ({@code costModel::tileComputeCycles}); the scheduler and the simulator never compute cycles themselves.
 */
@FunctionalInterface
public interface TileCycleModel {
    long tileComputeCycles(Network net, Operator op, Mapping mapping, Map<LoopDim, AxisExpr.Range> outputTile);
}
