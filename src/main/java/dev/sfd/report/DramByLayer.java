package dev.sfd.report;

import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Network;
import dev.sfd.workload.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DRAM bytes per operator of a plan: the bytes of every load and store task, charged to the operator the task
 * belongs to, at the widths the simulator charges (weights at the weight width, everything else at the activation
 * width). Their sum equals the simulator's DRAM total for a legal plan.
 */
public final class DramByLayer {
    private DramByLayer() {
    }

    /** Operator name to bytes read and written, in the network's topological order (operators without traffic too). */
    public static Map<String, Long> of(Network net, Plan plan) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        net.operators().forEach(op -> bytes.put(op.name(), 0L));
        double weight = plan.hardware().bytesPerElement(true);
        double activation = plan.hardware().bytesPerElement(false);
        for (SegmentSchedule s : plan.segments()) {
            for (TileTask t : s.tasks()) {
                if (t.kind() == TaskKind.LOAD) {
                    Tensor tensor = net.tensor(t.tensor());
                    long b = (long) Math.ceil(t.region().elements() * (tensor.isWeight() ? weight : activation));
                    bytes.merge(t.operator(), b, Long::sum);
                } else if (t.kind() == TaskKind.STORE) {
                    bytes.merge(t.operator(), (long) Math.ceil(t.region().elements() * activation), Long::sum);
                }
            }
        }
        return bytes;
    }
}
