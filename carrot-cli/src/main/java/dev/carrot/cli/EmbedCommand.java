package dev.carrot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.encoder.PromptEncoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code carrot embed}: print the encoder's vectors. */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Embed texts with the prompt encoder.")
final class EmbedCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    EncoderChoice encoders;

    @Option(names = "--json", description = "print JSON: the encoder and one object per text")
    boolean json;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "texts to embed")
    List<String> texts;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (PromptEncoder enc = encoders.open()) {
            float[][] v = enc.encodeAll(texts);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper();
                ObjectNode root = om.createObjectNode();
                ObjectNode e = root.putObject("encoder");
                e.put("id", enc.info().id());
                e.put("dimension", enc.info().dimension());
                e.put("onnx_sha256", enc.info().onnxSha256());
                e.put("max_tokens", enc.info().maxTokens());
                e.put("truncation", enc.info().truncation().key());
                ArrayNode items = root.putArray("items");
                for (int i = 0; i < texts.size(); i++) {
                    ObjectNode it = items.addObject();
                    it.put("text", texts.get(i));
                    it.put("tokens", enc.countTokens(texts.get(i)));
                    ArrayNode a = it.putArray("embedding");
                    for (float f : v[i]) {
                        a.add(f);
                    }
                }
                out.println(om.writeValueAsString(root));
            } else {
                for (int i = 0; i < texts.size(); i++) {
                    StringBuilder sb = new StringBuilder();
                    for (int j = 0; j < v[i].length; j++) {
                        sb.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6f", v[i][j]));
                    }
                    out.println(sb);
                }
            }
            out.flush();
        }
        return 0;
    }
}
