package dev.sfd.planner;

import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.workload.Network;

import java.util.Objects;

/**
 * What to plan: the network (and how a plan file refers to it) on one accelerator.
 *
 * @param network the network
 * @param networkRef zoo name or path, and batch, recorded in the plan
 * @param hardware the accelerator
 */
public record PlanRequest(Network network, NetworkRef networkRef, Hardware hardware) {
    public PlanRequest {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(networkRef, "networkRef");
        Objects.requireNonNull(hardware, "hardware");
    }
}
