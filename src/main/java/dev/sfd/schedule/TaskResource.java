package dev.sfd.schedule;

import dev.sfd.workload.OpKind;

/** The resource a task occupies while it runs. */
public enum TaskResource {
    DMA, PE_ARRAY, VECTOR, NONE;

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
