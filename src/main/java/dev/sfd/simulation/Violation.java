package dev.sfd.simulation;

import java.util.Objects;

/**
 * A broken rule found while replaying a plan.
 *
 * @param kind what went wrong
 * @param segment segment index (-1 for whole-plan checks)
 * @param task the task involved (its label), or "" for whole-plan checks
 * @param tensor the tensor involved, or ""
 * @param cycle simulated cycle at which it happened
 * @param message what happened, with figures
 */
public record Violation(Kind kind, int segment, String task, String tensor, long cycle, String message) {
    public enum Kind {
        /** An allocation took the occupancy above the buffer capacity. */
        GLB_OVERFLOW,
        /** A task started before the data it needs was on chip (or, for a load, in DRAM). */
        INPUT_NOT_READY,
        /** Data was released while a task still needed it. */
        FREED_WHILE_NEEDED,
        /** An output (or a tensor needed in DRAM by a later segment) was never completely written. */
        OUTPUT_NEVER_WRITTEN,
        /** A computed tensor was never read by anyone and is not a network output. */
        OUTPUT_NEVER_CONSUMED,
        /** The same compute step ran twice. */
        TILE_RUN_TWICE,
        /** A buffer was still allocated at the end of its segment. */
        BUFFER_NEVER_FREED,
        /** The plan refers to something that does not exist or uses a buffer inconsistently. */
        MALFORMED
    }

    public Violation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return kind + " at cycle " + cycle + (segment >= 0 ? " in segment " + segment : "")
                + (task.isEmpty() ? "" : " (" + task + ")") + ": " + message;
    }
}
