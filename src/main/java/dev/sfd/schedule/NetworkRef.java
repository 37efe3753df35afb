package dev.sfd.schedule;

import java.util.List;
import java.util.Objects;

/**
 * Which network a plan is for, with everything needed to load it again: a zoo name or a file path, the batch
 * size and, for ONNX models, the input shapes and the unsupported-operator mode the import used.
 *
 * @param name zoo name ({@code resnet50}) or path of a network file or ONNX model
 * @param batch batch size the plan was made for
 * @param inputShapes ONNX {@code --input-shape} values ({@code x=1x3x640x640}); empty otherwise
 * @param unsupported ONNX {@code --unsupported} mode ({@code error} or {@code vector})
 */
public record NetworkRef(String name, int batch, List<String> inputShapes, String unsupported) {
    /** The import mode of networks that are not ONNX. */
    public static final String DEFAULT_UNSUPPORTED = "error";

    public NetworkRef {
        Objects.requireNonNull(name, "name");
        inputShapes = List.copyOf(inputShapes);
        Objects.requireNonNull(unsupported, "unsupported");
    }

    public NetworkRef(String name, int batch) {
        this(name, batch, List.of(), DEFAULT_UNSUPPORTED);
    }
}
