package dev.sfd.segmentation.timefold;

/**
 * A problem fact: DRAM bytes charged to the segment of one position whatever the cut — a network output's
 * store by its producer, or a network input's load by its first consumer.
 *
 * @param id unique id
 * @param tensor tensor name
 * @param position the producer (store) or first consumer (load)
 * @param bytes DRAM bytes
 */
public record TensorAnchor(int id, String tensor, int position, long bytes) {
}
