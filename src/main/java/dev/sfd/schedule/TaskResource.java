package dev.sfd.schedule;

import dev.sfd.segmentation.TileTimeline;
import dev.sfd.workload.OpKind;

/** The resource a task occupies while it runs. */
public enum TaskResource {
    DMA, PE_ARRAY, VECTOR, NONE;

    /** The unit kind of the planner's timeline engine ({@link TileTimeline}). */
    public byte timelineUnit() {
        return switch (this) {
            case DMA -> TileTimeline.DMA;
            case PE_ARRAY -> TileTimeline.PE;
            case VECTOR -> TileTimeline.VECTOR;
            case NONE -> TileTimeline.NONE;
        };
    }

    public static TaskResource of(TaskKind kind, OpKind.ComputeUnit unit) {
        return switch (kind) {
            case LOAD, STORE -> DMA;
            case FREE -> NONE;
            case COMPUTE -> switch (unit) {
                case PE_ARRAY -> PE_ARRAY;
                case VECTOR -> VECTOR;
                case NONE -> NONE;
            };
        };
    }
}
