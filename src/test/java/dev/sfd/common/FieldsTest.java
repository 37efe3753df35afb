package dev.sfd.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldsTest {
    private final List<String> problems = new ArrayList<>();

    private Fields fields(String yaml) throws IOException {
        JsonNode node = new YAMLMapper().readTree(yaml);
        return new Fields(node, "settings", problems);
    }

    @Test
    void intInRangeReadsTheValueOrTheFallbackWhenAbsent() throws IOException {
        Fields f = fields("a: 5\nb: 0\nc: 9\nn: null\n");
        assertEquals(5, f.intInRange("a", 1, 0, 9));
        assertEquals(0, f.intInRange("b", 1, 0, 9));
        assertEquals(9, f.intInRange("c", 1, 0, 9));
        assertEquals(4, f.intInRange("missing", 4, 0, 9));
        assertEquals(4, f.intInRange("n", 4, 0, 9), "an explicit null is absent, as for every Fields reader");
        assertEquals(List.of(), problems);
    }

    @Test
    void intInRangeNamesFieldValueAndRange() throws IOException {
        Fields f = fields("low: 0\nhigh: 10\nfraction: 2.5\ntext: two\nhuge: 3000000000\n");
        assertEquals(1, f.intInRange("low", 1, 1, 9));
        assertEquals(1, f.intInRange("high", 1, 1, 9));
        assertEquals(1, f.intInRange("fraction", 1, 1, 9));
        assertEquals(1, f.intInRange("text", 1, 1, 9));
        assertEquals(1, f.intInRange("huge", 1, 0, Integer.MAX_VALUE));
        assertEquals(List.of(
                "settings field 'low' has value (0); expected a whole number in [1, 9]",
                "settings field 'high' has value (10); expected a whole number in [1, 9]",
                "settings field 'fraction' has value (2.5); expected a whole number in [1, 9]",
                "settings field 'text' has value (\"two\"); expected a whole number in [1, 9]",
                "settings field 'huge' has value (3000000000); expected a whole number in [0, 2147483647]"),
                problems);
    }

    @Test
    void positiveNumberAcceptsWholeAndFractionalNumbers() throws IOException {
        Fields f = fields("a: 2\nb: 0.25\n");
        assertEquals(2.0, f.positiveNumber("a", 1.0));
        assertEquals(0.25, f.positiveNumber("b", 1.0));
        assertEquals(7.5, f.positiveNumber("missing", 7.5));
        assertEquals(List.of(), problems);
    }

    @Test
    void positiveNumberRejectsZeroNegativeNanAndText() throws IOException {
        Fields f = fields("zero: 0\nnegative: -1.5\ntext: soon\n");
        ((ObjectNode) f.node()).put("nan", Double.NaN); // YAML parsing rejects '.nan'; a JSON-built node may hold it
        for (String field : List.of("zero", "negative", "text", "nan")) {
            assertEquals(3.0, f.positiveNumber(field, 3.0), field);
        }
        assertEquals(4, problems.size(), problems.toString());
        assertEquals("settings field 'zero' has value (0); expected a number > 0", problems.get(0));
        assertEquals("settings field 'negative' has value (-1.5); expected a number > 0", problems.get(1));
        assertEquals("settings field 'text' has value (\"soon\"); expected a number > 0", problems.get(2));
        assertEquals("settings field 'nan' has value (\"NaN\"); expected a number > 0", problems.get(3));
    }
}
