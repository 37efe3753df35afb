package dev.sfd.workload.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden corpus: every file of {@code models/networks/} loads through the catalog (by zoo name and by path)
 * and is a valid DAG; the zoo's parameter and MAC counts, computed by the reader (not the generator), are
 * within 2% of the published figures.
 */
class ZooNetworksTest {

    private static final Path DIR = Path.of("models/networks");

    static Stream<String> zooFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))
                    .sorted().toList();
            assertFalse(names.isEmpty(), "no networks in " + DIR);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zooFiles")
    void everyZooFileLoadsByNameAndByPathAndIsAValidDag(String file) {
        String name = file.substring(0, file.lastIndexOf('.'));
        assertTrue(NetworkCatalog.ZOO.contains(name), file + " is not listed in NetworkCatalog.ZOO");
        Network byName = NetworkCatalog.resolve(name);
        Network byPath = NetworkCatalog.resolve(DIR.resolve(file).toString());
        assertEquals(name, byName.name());
        assertEquals(byName.totalParameters(), byPath.totalParameters());
        assertEquals(byName.totalMacs(), byPath.totalMacs());
        assertFalse(byName.source().isBlank(), file + " cites its source");

        Set<String> seen = new HashSet<>(byName.inputs());
        for (Operator op : byName.operators()) {
            for (String in : op.inputs()) {
                assertTrue(seen.contains(in), op.name() + " reads " + in + " before it is produced");
            }
            seen.addAll(op.outputs());
            for (String w : op.weights()) {
                assertTrue(byName.tensor(w).isWeight(), w);
            }
        }
        assertFalse(byName.outputs().isEmpty());
        for (String out : byName.outputs()) {
            assertTrue(byName.producer(out).isPresent(), "output " + out + " has a producer");
        }
        for (Tensor t : byName.tensors().values()) {
            for (int d : t.shape()) {
                assertTrue(d >= 1, t.name() + " " + t.shape());
            }
        }
        assertTrue(byName.totalMacs() > 0, file);
    }

    @Test
    void exampleOfTheFormatDocumentationReads() throws IOException {
        String doc = Files.readString(Path.of("docs/network-format.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        Network net = NetworkReader.parse("docs/network-format.md", yaml, null);
        assertEquals("tiny-residual", net.name());
        assertEquals(List.of(1, 10), net.tensor("fc").shape());
    }

    @Test
    void zooListNamesOnlyExistingFiles() {
        for (String name : NetworkCatalog.ZOO) {
            assertTrue(Files.isRegularFile(DIR.resolve(name + ".yaml")), name);
        }
    }

    // ---------------------------------------------------------------- published figures (within 2%)

    private static void assertWithin2Percent(double published, long ours, String what) {
        double deviation = (ours - published) / published;
        assertTrue(Math.abs(deviation) <= 0.02,
                what + ": ours " + ours + " vs published " + published + " (" + String.format("%+.2f %%", 100 * deviation)
                        + ")");
    }

    private static void assertFigures(String zooName, double publishedParams, double publishedMacs) {
        Network net = NetworkCatalog.resolve(zooName);
        assertWithin2Percent(publishedParams, net.totalParameters(), zooName + " parameters");
        if (publishedMacs > 0) {
            assertWithin2Percent(publishedMacs, net.totalMacs(), zooName + " MACs");
        }
    }

    /** He et al., CVPR 2016 (arXiv:1512.03385); torchvision ResNet50_Weights.IMAGENET1K_V1: 25.6 M, 4.09 GFLOPS (MACs). */
    @Test
    void resnet50MatchesPublishedFigures() {
        assertFigures("resnet50", 25.6e6, 4.1e9);
    }

    /** He et al., CVPR 2016, Table 1 (1.8e9 FLOPs = multiply-adds); torchvision ResNet18_Weights.IMAGENET1K_V1: 11.7 M. */
    @Test
    void resnet18MatchesPublishedFigures() {
        assertFigures("resnet18", 11.7e6, 1.8e9);
    }

    /** Sandler et al., CVPR 2018 (arXiv:1801.04381), Table 4 (300 M MAdds); torchvision MobileNet_V2_Weights: 3.5 M. */
    @Test
    void mobilenetV2MatchesPublishedFigures() {
        assertFigures("mobilenet_v2", 3.5e6, 300e6);
    }

    /** Simonyan and Zisserman, ICLR 2015 (arXiv:1409.1556); torchvision VGG16_Weights.IMAGENET1K_V1: 138.4 M, 15.47 GFLOPS. */
    @Test
    void vgg16MatchesPublishedFigures() {
        assertFigures("vgg16", 138e6, 15.5e9);
    }

    /** Simonyan and Zisserman, ICLR 2015; torchvision VGG19_Weights.IMAGENET1K_V1: 143.7 M, 19.63 GFLOPS. */
    @Test
    void vgg19MatchesPublishedFigures() {
        assertFigures("vgg19", 143.7e6, 19.6e9);
    }

    /** Dosovitskiy et al., ICLR 2021 (arXiv:2010.11929); torchvision ViT_B_16_Weights.IMAGENET1K_V1: 86.6 M, 17.56 GFLOPS. */
    @Test
    void vitB16MatchesPublishedFigures() {
        assertFigures("vit_b16", 86.6e6, 17.6e9);
    }

    /** Radford et al. 2019 (OpenAI); Hugging Face gpt2 GPT2LMHeadModel with tied embeddings: 124,439,808 parameters. */
    @Test
    void gpt2SmallMatchesPublishedParameters() {
        assertFigures("gpt2_small", 124.4e6, 0);
    }

    /** Devlin et al., NAACL 2019 (arXiv:1810.04805); Hugging Face bert-base-uncased BertModel incl. pooler: 109,482,240. */
    @Test
    void bertBaseMatchesPublishedParameters() {
        assertFigures("bert_base", 109.5e6, 0);
        assertFigures("bert_base_s512", 109.5e6, 0);
    }
}
