package dev.sfd.schedule;

import dev.sfd.workload.Box;

import java.util.Objects;

/**
 * One GLB allocation: a region of a tensor held on chip. Allocated by exactly one task (a LOAD, or the first
 * COMPUTE step of an output tile) and released by exactly one FREE task.
 *
 * @param id index within its segment
 * @param tensor physical tensor (never a layout view)
 * @param region the region held
 * @param bytes bytes reserved in the GLB
 */
public record BufferSpec(int id, String tensor, Box region, long bytes) {
    public BufferSpec {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(region, "region");
        if (bytes < 0) {
            throw new IllegalArgumentException("buffer " + id + " has negative size " + bytes);
        }
    }
}
