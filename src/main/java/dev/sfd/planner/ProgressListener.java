package dev.sfd.planner;

/** Hears which planning stage runs and how far it is (the CLI draws a progress bar from it). */
public interface ProgressListener {
    /** Hears nothing. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void stage(String name, long total) {
        }

        @Override
        public void step(long done) {
        }

        @Override
        public void done() {
        }
    };

    /** A stage starts; {@code total} steps, or -1 when unknown. */
    void stage(String name, long total);

    /** {@code done} of the stage's steps are finished. */
    void step(long done);

    /** The current stage ended. */
    void done();
}
