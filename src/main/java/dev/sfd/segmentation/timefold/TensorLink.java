package dev.sfd.segmentation.timefold;

/**
 * A problem fact relating two positions of the execution order through one tensor. With contiguous segments
 * every tensor cost of the model reduces to "are these two positions in the same segment?":
 * <ul>
 *   <li>{@link Kind#STORE}: the producer stores the tensor when its last consumer is in another segment;</li>
 *   <li>{@link Kind#LOAD}: a consumer loads it when the previous user (producer or earlier consumer) is in
 *       another segment — so each consumer segment other than the producer's loads it once;</li>
 *   <li>{@link Kind#ON_CHIP}: it occupies {@code onChipBytes} of the producer's segment when its first
 *       consumer shares that segment;</li>
 *   <li>{@link Kind#DEPENDENCY}: the consumer must not sit in an earlier segment than the producer.</li>
 * </ul>
 *
 * @param id unique id (for Timefold's lookups and readable justifications)
 * @param kind what the link stands for
 * @param tensor tensor name
 * @param fromPosition producer or previous consumer position
 * @param toPosition consumer position
 * @param bytes DRAM bytes (STORE, LOAD, DEPENDENCY) or on-chip bytes (ON_CHIP)
 */
public record TensorLink(int id, Kind kind, String tensor, int fromPosition, int toPosition, long bytes) {

    /** What a link charges. */
    public enum Kind { STORE, LOAD, ON_CHIP, DEPENDENCY }
}
