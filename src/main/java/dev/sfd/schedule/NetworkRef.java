package dev.sfd.schedule;

import java.util.Objects;

/**
 * Which network a plan is for: a zoo name or a file path, and the batch size.
 *
 * @param name zoo name ({@code resnet50}) or path of a network file
 * @param batch batch size the plan was made for
 */
public record NetworkRef(String name, int batch) {
    public NetworkRef {
        Objects.requireNonNull(name, "name");
    }
}
