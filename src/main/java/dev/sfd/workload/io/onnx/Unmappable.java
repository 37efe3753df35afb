package dev.sfd.workload.io.onnx;

/** A supported operator type in a configuration SFD cannot represent; the message says why. */
final class Unmappable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unmappable(String message) {
        super(message, null, false, false);
    }
}
