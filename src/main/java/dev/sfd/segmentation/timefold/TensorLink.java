package dev.sfd.segmentation.timefold;

import java.util.List;

/**
 * A problem fact relating two positions of the execution order through one tensor. With contiguous segments
 * every tensor cost of the model reduces to "are these two positions in the same segment?":
 * <ul>
 *   <li>{@link Kind#STORE}: the producer stores the tensor when its last consumer is in another segment;</li>
 *   <li>{@link Kind#LOAD}: a consumer loads it when the previous user (producer or earlier consumer) is in
 *       another segment — so each consumer segment other than the producer's loads it once;</li>
 *   <li>{@link Kind#ON_CHIP}: it occupies {@code onChipBytes} plus the producer option's window term
 *       ({@code optionBytes} indexed by the option of the {@code from} slot) of the producer's segment when
 *       its first consumer shares that segment;</li>
 *   <li>{@link Kind#CONSUMER_WINDOW}: one consumer's window term ({@code optionBytes} indexed by the option of
 *       the {@code to} slot) occupies the producer's segment when that consumer shares it;</li>
 *   <li>{@link Kind#DEPENDENCY}: the consumer must not sit in an earlier segment than the producer.</li>
 * </ul>
 *
 * @param id unique id (for Timefold's lookups and readable justifications)
 * @param kind what the link stands for
 * @param tensor tensor name
 * @param fromPosition producer or previous consumer position
 * @param toPosition consumer position
 * @param bytes DRAM bytes (STORE, LOAD, DEPENDENCY) or option-independent on-chip bytes (ON_CHIP)
 * @param optionBytes option-dependent on-chip bytes: of the producer's option (ON_CHIP) or of the consumer's
 *        option (CONSUMER_WINDOW); empty when there are none
 */
public record TensorLink(int id, Kind kind, String tensor, int fromPosition, int toPosition, long bytes,
                         List<Long> optionBytes) {

    /** What a link charges. */
    public enum Kind { STORE, LOAD, ON_CHIP, CONSUMER_WINDOW, DEPENDENCY }

    public TensorLink {
        optionBytes = List.copyOf(optionBytes);
    }

    /** A link without option-dependent bytes. */
    public TensorLink(int id, Kind kind, String tensor, int fromPosition, int toPosition, long bytes) {
        this(id, kind, tensor, fromPosition, toPosition, bytes, List.of());
    }

    /** The option-dependent bytes under {@code option}; zero when there are none or the option is unassigned. */
    public long optionBytes(Integer option) {
        return option == null || optionBytes.isEmpty() ? 0 : optionBytes.get(option);
    }

    /**
     * On-chip bytes this link adds to the producer's segment when both ends share it, given the options of the
     * {@code from} and {@code to} slots (ON_CHIP and CONSUMER_WINDOW only).
     */
    public long onChipBytes(Integer fromOption, Integer toOption) {
        return switch (kind) {
            case ON_CHIP -> bytes + optionBytes(fromOption);
            case CONSUMER_WINDOW -> optionBytes(toOption);
            default -> 0;
        };
    }
}
