package dev.sfd.segmentation.timefold;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.timefold.solver.persistence.common.api.domain.solution.SolutionFileIO;

import dev.sfd.segmentation.SegmentationModel;

/**
 * How the Timefold benchmarker reads a problem and writes a best solution: a problem file is a
 * {@link SegmentationModel} as JSON ({@code NAME.json}, read as an unassigned plan), a solution file the plan's
 * segments as {@link SegmentationModel.Part}s ({@code NAME.parts.json}), so that the caller can score it with
 * {@link SegmentationModel#evaluate(List)}. The benchmarker instantiates this class by name.
 */
public final class SegmentationProblemFileIO implements SolutionFileIO<SegmentationPlan> {
    static final String PARTS_EXTENSION = "parts.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String getInputFileExtension() {
        return "json";
    }

    @Override
    public String getOutputFileExtension() {
        return PARTS_EXTENSION;
    }

    @Override
    public SegmentationPlan read(File inputSolutionFile) {
        return SegmentationPlanFactory.unassigned(readModel(inputSolutionFile));
    }

    @Override
    public void write(SegmentationPlan solution, File outputSolutionFile) {
        try {
            JSON.writeValue(outputSolutionFile, SegmentationPlanFactory.parts(solution));
        } catch (IOException e) {
            throw new UncheckedIOException(outputSolutionFile + ": cannot write the solution", e);
        }
    }

    /** Writes a model as a problem file. */
    static void writeModel(SegmentationModel model, File file) {
        try {
            JSON.writeValue(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the problem", e);
        }
    }

    static SegmentationModel readModel(File file) {
        try {
            return JSON.readValue(file, SegmentationModel.class);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the problem", e);
        }
    }

    static List<SegmentationModel.Part> readParts(File file) {
        try {
            return JSON.readValue(file, new TypeReference<List<SegmentationModel.Part>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the solution", e);
        }
    }
}
