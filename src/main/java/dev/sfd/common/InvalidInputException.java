package dev.sfd.common;

import java.util.List;
import java.util.Objects;

/**
 * A user mistake in an input file or an option: the message names the file, the element and field, and the
 * value, and says what would be valid. Commands turn it into exit code 2 without a stack trace.
 */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> problems;

    public InvalidInputException(String source, List<String> problems) {
        super(format(source, problems));
        this.source = Objects.requireNonNull(source, "source");
        this.problems = List.copyOf(problems);
    }

    public InvalidInputException(String source, String problem) {
        this(source, List.of(problem));
    }

    /** The file (or option) the problems were found in. */
    public String source() {
        return source;
    }

    /** One line per problem, without the source prefix. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidInputException needs at least one problem");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < problems.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(source).append(": ").append(problems.get(i));
        }
        return sb.toString();
    }
}
