package dev.sfd.workload.zoo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes the model zoo ({@code models/networks/*.yaml}) in the {@code sfd-network/1} format.
 *
 * <p>All networks are inference graphs. Architectures follow the cited papers with the layer
 * configuration of the reference implementations named in each file's {@code source} field
 * (torchvision, Hugging Face transformers, OpenAI GPT-2). The files are generated, never edited by hand;
 * a test re-runs {@link #generateAll()} and compares the output with the committed files.
 *
 * <p>Usage: {@code ZooGenerator [--summary] [outputDirectory]} (default directory {@code models/networks}).
 * With {@code --summary} it prints the builder's parameter and MAC totals instead of writing files.
 */
public final class ZooGenerator {

    /** Default output directory, relative to the project root. */
    public static final String DEFAULT_DIRECTORY = "models/networks";

    private static final int BATCH = 1;

    private final Map<String, Supplier<NetworkSpecBuilder>> networks = new LinkedHashMap<>();

    public ZooGenerator() {
        networks.put("resnet18.yaml", () -> resnet("resnet18", false, new int[] {2, 2, 2, 2}));
        networks.put("resnet50.yaml", () -> resnet("resnet50", true, new int[] {3, 4, 6, 3}));
        networks.put("mobilenet_v2.yaml", ZooGenerator::mobilenetV2);
        networks.put("vgg16.yaml", () -> vgg("vgg16", new int[] {2, 2, 3, 3, 3}));
        networks.put("vgg19.yaml", () -> vgg("vgg19", new int[] {2, 2, 4, 4, 4}));
        networks.put("bert_base.yaml", () -> bertBase("bert_base", 128));
        networks.put("bert_base_s512.yaml", () -> bertBase("bert_base_s512", 512));
        networks.put("gpt2_small.yaml", () -> gpt2Small(512));
        networks.put("vit_b16.yaml", ZooGenerator::vitB16);
    }

    /** File names of the zoo, in generation order. */
    public List<String> fileNames() {
        return new ArrayList<>(networks.keySet());
    }

    /** File name to YAML text for every zoo network. */
    public Map<String, String> generateAll() {
        Map<String, String> files = new LinkedHashMap<>();
        networks.forEach((file, build) -> files.put(file, build.get().toYaml()));
        return files;
    }

    /** File name to the builder's totals (parameters, MACs) for every zoo network. */
    public Map<String, NetworkSpecBuilder.Summary> summaries() {
        Map<String, NetworkSpecBuilder.Summary> result = new LinkedHashMap<>();
        networks.forEach((file, build) -> result.put(file, build.get().summary()));
        return result;
    }

    public static void main(String[] args) throws IOException {
        boolean summary = false;
        Path dir = Path.of(DEFAULT_DIRECTORY);
        for (String arg : args) {
            if ("--summary".equals(arg)) {
                summary = true;
            } else if (arg.startsWith("-")) {
                System.err.println("usage: ZooGenerator [--summary] [outputDirectory]");
                System.exit(2);
                return;
            } else {
                dir = Path.of(arg);
            }
        }
        ZooGenerator zoo = new ZooGenerator();
        if (summary) {
            printSummary(zoo.summaries(), System.out);
            return;
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : zoo.generateAll().entrySet()) {
            Path file = dir.resolve(e.getKey());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + file);
        }
    }

    static void printSummary(Map<String, NetworkSpecBuilder.Summary> summaries, PrintStream out) {
        out.printf(Locale.ROOT, "%-16s %9s %16s %10s %18s %10s%n", "network", "operators", "parameters",
                "M params", "MACs", "GMACs");
        for (NetworkSpecBuilder.Summary s : summaries.values()) {
            out.printf(Locale.ROOT, "%-16s %9d %,16d %10.3f %,18d %10.3f%n", s.name(), s.operators(),
                    s.parameters(), s.parameters() / 1e6, s.macs(), s.macs() / 1e9);
        }
    }

    // ====================================================================== ResNet

    private static NetworkSpecBuilder resnet(String name, boolean bottleneck, int[] blocks) {
        int depth = bottleneck ? 50 : 18;
        NetworkSpecBuilder b = new NetworkSpecBuilder(name, BATCH)
                .title("ResNet-" + depth + ", ImageNet classifier, 224x224 input")
                .description("ResNet-" + depth + " inference graph (" + (bottleneck
                        ? "bottleneck blocks 1x1-3x3-1x1, stride on the 3x3 conv as in torchvision"
                        : "basic blocks 3x3-3x3") + ", 1x1 projection conv on the shortcut where the shape"
                        + " changes). BatchNorm is folded into the preceding conv, so no batchnorm operators"
                        + " appear and the convs carry no bias; the parameter count therefore excludes the"
                        + " BatchNorm scale and shift that torchvision counts.")
                .source("He, Zhang, Ren, Sun: Deep Residual Learning for Image Recognition, CVPR 2016"
                        + " (arXiv:1512.03385), Table 1; layer configuration as torchvision.models.resnet"
                        + depth + ". Published figures: torchvision model documentation (ResNet" + depth
                        + "_Weights.IMAGENET1K_V1: " + (bottleneck ? "25,557,032 parameters, 4.09 GFLOPS"
                        : "11,689,512 parameters, 1.81 GFLOPS") + ", where GFLOPS counts multiply-adds).");
        String x = b.input("image", 3, 224, 224);
        x = b.relu("relu", b.conv("conv1", x, 64, 7, 2, 3));
        x = b.maxpool("maxpool", x, 3, 2, 1);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                String p = "layer" + (stage + 1) + "." + i;
                int width = widths[stage];
                int out = bottleneck ? 4 * width : width;
                String y;
                if (bottleneck) {
                    y = b.relu(p + ".relu1", b.conv(p + ".conv1", x, width, 1, 1, 0));
                    y = b.relu(p + ".relu2", b.conv(p + ".conv2", y, width, 3, stride, 1));
                    y = b.conv(p + ".conv3", y, out, 1, 1, 0);
                } else {
                    y = b.relu(p + ".relu1", b.conv(p + ".conv1", x, width, 3, stride, 1));
                    y = b.conv(p + ".conv2", y, out, 3, 1, 1);
                }
                String shortcut = stride != 1 || in != out ? b.conv(p + ".downsample", x, out, 1, stride, 0) : x;
                x = b.relu(p + ".relu_out", b.add(p + ".add", y, shortcut));
                in = out;
            }
        }
        x = b.reshape("flatten", b.globalAvgPool("avgpool", x), 0, -1);
        b.outputs(b.linear("fc", x, 1000, true));
        return b;
    }

    // ====================================================================== MobileNetV2

    private static NetworkSpecBuilder mobilenetV2() {
        NetworkSpecBuilder b = new NetworkSpecBuilder("mobilenet_v2", BATCH)
                .title("MobileNetV2 (width 1.0), ImageNet classifier, 224x224 input")
                .description("MobileNetV2 inference graph, width multiplier 1.0: inverted residual blocks"
                        + " (1x1 expansion + relu6, 3x3 depthwise + relu6, linear 1x1 projection; residual add"
                        + " when stride is 1 and input and output channels match), final 1x1 conv to 1280,"
                        + " global average pooling and a 1000-way classifier. BatchNorm is folded into the"
                        + " convs (no batchnorm operators, convs without bias); dropout is omitted. Operator"
                        + " names follow torchvision's features.<index> numbering.")
                .source("Sandler, Howard, Zhu, Zhmoginov, Chen: MobileNetV2: Inverted Residuals and Linear"
                        + " Bottlenecks, CVPR 2018 (arXiv:1801.04381), Table 2; layer configuration as"
                        + " torchvision.models.mobilenet_v2. Published figures: torchvision model documentation"
                        + " (MobileNet_V2_Weights.IMAGENET1K_V1: 3,504,872 parameters, 0.30 GFLOPS"
                        + " multiply-adds); the paper reports 3.4 M parameters and 300 M multiply-adds.");
        String x = b.input("image", 3, 224, 224);
        x = b.relu6("features.0.relu6", b.conv("features.0.conv", x, 32, 3, 2, 1));
        // expansion t, output channels c, repeats n, first stride s (paper Table 2)
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
        int in = 32;
        int index = 1;
        for (int[] s : settings) {
            for (int i = 0; i < s[2]; i++) {
                int stride = i == 0 ? s[3] : 1;
                int out = s[1];
                int hidden = in * s[0];
                String p = "features." + index++;
                String y = x;
                if (s[0] != 1) {
                    y = b.relu6(p + ".expand_relu6", b.conv(p + ".expand", y, hidden, 1, 1, 0));
                }
                y = b.relu6(p + ".depthwise_relu6", b.conv(p + ".depthwise", y, hidden, 3, stride, 1, hidden,
                        false));
                y = b.conv(p + ".project", y, out, 1, 1, 0);
                x = stride == 1 && in == out ? b.add(p + ".add", y, x) : y;
                in = out;
            }
        }
        String p = "features." + index;
        x = b.relu6(p + ".relu6", b.conv(p + ".conv", x, 1280, 1, 1, 0));
        x = b.reshape("flatten", b.globalAvgPool("avgpool", x), 0, -1);
        b.outputs(b.linear("classifier", x, 1000, true));
        return b;
    }

    // ====================================================================== VGG

    private static NetworkSpecBuilder vgg(String name, int[] convsPerStage) {
        int depth = name.equals("vgg16") ? 16 : 19;
        NetworkSpecBuilder b = new NetworkSpecBuilder(name, BATCH)
                .title("VGG-" + depth + " (configuration " + (depth == 16 ? "D" : "E")
                        + ", no BatchNorm), ImageNet classifier, 224x224 input")
                .description("VGG-" + depth + " inference graph without BatchNorm: five stages of 3x3 convs"
                        + " (padding 1, with bias) each followed by relu, a 2x2 stride-2 maxpool after each"
                        + " stage, then fully connected layers fc6 (25088->4096), fc7 (4096->4096) and fc8"
                        + " (4096->1000), all with bias. Layer names convS_I give stage S and position I."
                        + " Dropout is omitted; torchvision's adaptive average pooling to 7x7 is the identity"
                        + " at 224x224 and is omitted.")
                .source("Simonyan, Zisserman: Very Deep Convolutional Networks for Large-Scale Image"
                        + " Recognition, ICLR 2015 (arXiv:1409.1556), Table 1 configuration "
                        + (depth == 16 ? "D" : "E") + "; layer configuration as torchvision.models.vgg" + depth
                        + ". Published figures: torchvision model documentation (VGG" + depth
                        + "_Weights.IMAGENET1K_V1: " + (depth == 16 ? "138,357,544 parameters, 15.47 GFLOPS"
                        : "143,667,240 parameters, 19.63 GFLOPS") + ", where GFLOPS counts multiply-adds).");
        String x = b.input("image", 3, 224, 224);
        int[] channels = {64, 128, 256, 512, 512};
        for (int stage = 1; stage <= 5; stage++) {
            for (int i = 1; i <= convsPerStage[stage - 1]; i++) {
                String id = stage + "_" + i;
                x = b.relu("relu" + id, b.conv("conv" + id, x, channels[stage - 1], 3, 1, 1, 1, true));
            }
            x = b.maxpool("pool" + stage, x, 2, 2, 0);
        }
        x = b.reshape("flatten", x, 0, -1);
        x = b.relu("fc6_relu", b.linear("fc6", x, 4096, true));
        x = b.relu("fc7_relu", b.linear("fc7", x, 4096, true));
        b.outputs(b.linear("fc8", x, 1000, true));
        return b;
    }

    // ====================================================================== BERT

    private static NetworkSpecBuilder bertBase(String name, int seq) {
        final int hidden = 768;
        final int heads = 12;
        final int ffn = 3072;
        NetworkSpecBuilder b = new NetworkSpecBuilder(name, BATCH)
                .title("BERT-base (uncased vocabulary), encoder, sequence length " + seq)
                .description("BERT-base encoder inference graph at sequence length " + seq + ": word (30522),"
                        + " position (512) and token-type (2) embeddings of width 768, summed and layer-normed;"
                        + " 12 post-LN layers with 12 attention heads of 64 (separate Q, K, V projections with"
                        + " bias, K multiplied with transposeB) and a 3072-wide gelu feed-forward; then the"
                        + " pooler (dense 768->768 with bias and tanh) on the first token, taken with a split"
                        + " along the sequence axis. Positions are a tokens input holding 0.." + (seq - 1)
                        + ". Attention masks and dropout are omitted; the MLM/NSP pre-training heads are not"
                        + " included.")
                .source("Devlin, Chang, Lee, Toutanova: BERT: Pre-training of Deep Bidirectional Transformers"
                        + " for Language Understanding, NAACL 2019 (arXiv:1810.04805), BERT-BASE (L=12, H=768,"
                        + " A=12); layer configuration as Hugging Face transformers BertModel"
                        + " (bert-base-uncased). Published figures: 110 M parameters (paper, section 3);"
                        + " 109,482,240 parameters in Hugging Face bert-base-uncased including the pooler."
                        + " MACs are computed here (no published figure used).");
        String tokens = b.tokens("tokens", seq);
        String positions = b.tokens("positions", seq);
        String types = b.tokens("token_types", seq);
        String x = b.add("embeddings.add",
                b.embedding("embeddings.word", tokens, 30522, hidden),
                b.embedding("embeddings.position", positions, 512, hidden),
                b.embedding("embeddings.token_type", types, 2, hidden));
        x = b.layerNorm("embeddings.layernorm", x);
        for (int l = 0; l < 12; l++) {
            String p = "layer." + l;
            String q = b.linear(p + ".attention.query", x, hidden, true);
            String k = b.linear(p + ".attention.key", x, hidden, true);
            String v = b.linear(p + ".attention.value", x, hidden, true);
            String ctx = b.attentionCore(p + ".attention", q, k, v, heads);
            String y = b.linear(p + ".attention.output", ctx, hidden, true);
            x = b.layerNorm(p + ".attention.layernorm", b.add(p + ".attention.add", y, x));
            y = b.gelu(p + ".ffn.gelu", b.linear(p + ".ffn.intermediate", x, ffn, true));
            y = b.linear(p + ".ffn.output", y, hidden, true);
            x = b.layerNorm(p + ".ffn.layernorm", b.add(p + ".ffn.add", y, x));
        }
        String first = b.split("pooler.first_token", x, 1, new int[] {1, seq - 1}, "pooler.cls",
                "pooler.rest").get(0);
        String pooled = b.tanh("pooler.tanh",
                b.linear("pooler.dense", b.reshape("pooler.flatten", first, 0, -1), hidden, true));
        b.outputs(x, pooled);
        return b;
    }

    // ====================================================================== GPT-2

    private static NetworkSpecBuilder gpt2Small(int seq) {
        final int hidden = 768;
        final int heads = 12;
        NetworkSpecBuilder b = new NetworkSpecBuilder("gpt2_small", BATCH)
                .title("GPT-2 small (124M), prefill of " + seq + " tokens")
                .description("GPT-2 small decoder inference graph for the prefill of " + seq + " tokens:"
                        + " token embedding wte (50257 x 768) and learned position embedding wpe (1024 x 768,"
                        + " " + seq + " positions looked up from the tokens input positions); 12 pre-LN blocks"
                        + " (layernorm, fused QKV projection 768->2304 with bias split into q, k, v, 12 heads"
                        + " of 64, projection 768->768; layernorm, MLP 768->3072 gelu ->768); final layernorm"
                        + " and the LM head over all positions. The LM head is tied to the token embedding:"
                        + " both name the weight wte (embedding table [50257, 768], head [768, 50257]: same"
                        + " elements, counted once). Causal attention is modelled as a full softmax over the"
                        + " sequence (the mask does not change the operator shapes); dropout is omitted; no KV"
                        + " cache.")
                .source("Radford, Wu, Child, Luan, Amodei, Sutskever: Language Models are Unsupervised"
                        + " Multitask Learners, OpenAI 2019 (smallest model: 12 layers, d_model 768);"
                        + " layer configuration as Hugging Face transformers GPT2LMHeadModel (gpt2)."
                        + " Published figures: 124,439,808 parameters for Hugging Face gpt2 with tied"
                        + " embeddings (the paper's Table 2 lists 117 M, an earlier count)."
                        + " MACs are computed here (no published figure used).");
        String tokens = b.tokens("tokens", seq);
        String positions = b.tokens("positions", seq);
        String x = b.add("embed.add", b.embedding("wte", tokens, 50257, hidden, "wte.weight"),
                b.embedding("wpe", positions, 1024, hidden));
        for (int l = 0; l < 12; l++) {
            String p = "h." + l;
            String qkv = b.linear(p + ".attn.c_attn", b.layerNorm(p + ".ln_1", x), 3 * hidden, true);
            List<String> parts = b.split(p + ".attn.split", qkv, -1, new int[] {hidden, hidden, hidden},
                    p + ".attn.q", p + ".attn.k", p + ".attn.v");
            String ctx = b.attentionCore(p + ".attn", parts.get(0), parts.get(1), parts.get(2), heads);
            x = b.add(p + ".add_1", b.linear(p + ".attn.c_proj", ctx, hidden, true), x);
            String y = b.linear(p + ".mlp.c_fc", b.layerNorm(p + ".ln_2", x), 4 * hidden, true);
            y = b.linear(p + ".mlp.c_proj", b.gelu(p + ".mlp.gelu", y), hidden, true);
            x = b.add(p + ".add_2", y, x);
        }
        x = b.layerNorm("ln_f", x);
        b.outputs(b.linear("lm_head", x, 50257, false, "wte.weight"));
        return b;
    }

    // ====================================================================== ViT

    private static NetworkSpecBuilder vitB16() {
        final int hidden = 768;
        final int heads = 12;
        final int patches = 14 * 14;
        final int seq = patches + 1;
        NetworkSpecBuilder b = new NetworkSpecBuilder("vit_b16", BATCH)
                .title("ViT-B/16, ImageNet classifier, 224x224 input (196 patches + class token)")
                .description("ViT-Base/16 inference graph: patch embedding as a 16x16 stride-16 conv to 768"
                        + " channels with bias, flattened to 196 tokens; the learned class token is an"
                        + " embedding with vocabulary 1 looked up by the tokens input cls_index (always 0) and"
                        + " concatenated in front (197 tokens); the learned position embedding is an embedding"
                        + " with vocabulary 197 over the tokens input positions (0..196), added. 12 pre-LN"
                        + " blocks (fused QKV projection with bias split into q, k, v, 12 heads of 64,"
                        + " projection; MLP 768->3072 gelu ->768), final layernorm, then the class token is"
                        + " taken with a split along the token axis and the 1000-way head (with bias) is"
                        + " applied to it only. Dropout is omitted.")
                .source("Dosovitskiy et al.: An Image is Worth 16x16 Words: Transformers for Image Recognition"
                        + " at Scale, ICLR 2021 (arXiv:2010.11929), ViT-Base with patch 16; layer"
                        + " configuration as torchvision.models.vit_b_16 / timm vit_base_patch16_224."
                        + " Published figures: torchvision model documentation (ViT_B_16_Weights.IMAGENET1K_V1:"
                        + " 86,567,656 parameters, 17.56 GFLOPS, where GFLOPS counts multiply-adds), commonly"
                        + " quoted as 86 M parameters and 17.6 GMACs.");
        String image = b.input("image", 3, 224, 224);
        String clsIndex = b.tokens("cls_index", 1);
        String positions = b.tokens("positions", seq);
        String x = b.conv("patch_embed", image, hidden, 16, 16, 0, 1, true);
        x = b.transpose("patch_embed.transpose", b.reshape("patch_embed.flatten", x, 0, hidden, patches),
                0, 2, 1);
        x = b.concat("cls_concat", 1, b.embedding("cls_token", clsIndex, 1, hidden), x);
        x = b.add("pos_add", x, b.embedding("pos_embed", positions, seq, hidden));
        for (int l = 0; l < 12; l++) {
            String p = "blocks." + l;
            String qkv = b.linear(p + ".attn.qkv", b.layerNorm(p + ".norm1", x), 3 * hidden, true);
            List<String> parts = b.split(p + ".attn.split", qkv, -1, new int[] {hidden, hidden, hidden},
                    p + ".attn.q", p + ".attn.k", p + ".attn.v");
            String ctx = b.attentionCore(p + ".attn", parts.get(0), parts.get(1), parts.get(2), heads);
            x = b.add(p + ".add1", b.linear(p + ".attn.proj", ctx, hidden, true), x);
            String y = b.linear(p + ".mlp.fc1", b.layerNorm(p + ".norm2", x), 4 * hidden, true);
            y = b.linear(p + ".mlp.fc2", b.gelu(p + ".mlp.gelu", y), hidden, true);
            x = b.add(p + ".add2", y, x);
        }
        x = b.layerNorm("norm", x);
        String cls = b.split("cls_select", x, 1, new int[] {1, patches}, "cls_out", "patch_out").get(0);
        b.outputs(b.linear("head", b.reshape("head.flatten", cls, 0, -1), 1000, true));
        return b;
    }
}
