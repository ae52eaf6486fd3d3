package dev.carrot.examples.langchain4j;

import dev.carrot.langchain4j.CarrotChatModel;
import dev.carrot.langchain4j.CarrotChatRequestParameters;
import dev.carrot.langchain4j.CarrotChatResponseMetadata;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.RoutedCall;
import dev.carrot.route.Router;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A LangChain4j AI service over a carrot router: each question goes to the model the router predicts is best for
 * it at the chosen trade-off, and the answer says which model that was and why.
 *
 * <p>Configuration, from the environment:
 * <ul>
 *   <li>{@code CARROT_ROUTER}: a router folder written by {@code carrot train} (or {@code carrot import-hf-router})</li>
 *   <li>{@code CARROT_MODELS}: which provider model answers for each of the router's models,
 *       {@code routerName=providerModel,...}, e.g.
 *       {@code gpt-4-1106-preview=gpt-4o,gpt-3.5-turbo-1106=gpt-4o-mini}</li>
 *   <li>{@code OPENAI_API_KEY}, and {@code OPENAI_BASE_URL} for any OpenAI-compatible endpoint (OpenRouter, a LiteLLM
 *       proxy, vLLM, Ollama's {@code /v1}); the default is OpenAI's</li>
 *   <li>{@code CARROT_MU}: the trade-off in [0, 1], 0.3 unless set</li>
 * </ul>
 * Arguments: the question (all arguments joined).
 */
public final class RoutingExample {

    /** The AI service: a plain interface, implemented by LangChain4j over the carrot chat model. */
    interface Assistant {
        @SystemMessage("You are a helpful assistant. Answer briefly.")
        Result<String> ask(@UserMessage String question, ChatRequestParameters parameters);
    }

    private RoutingExample() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(System.getenv(), args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The whole example; returns the exit status. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || env.get("CARROT_ROUTER") == null || env.get("CARROT_MODELS") == null) {
            err.println("usage: CARROT_ROUTER=DIR CARROT_MODELS=routerName=providerModel,... OPENAI_API_KEY=..."
                    + " [OPENAI_BASE_URL=...] [CARROT_MU=0.3] RoutingExample QUESTION...");
            return 2;
        }
        String baseUrl = env.getOrDefault("OPENAI_BASE_URL", "https://api.openai.com/v1");
        String apiKey = env.getOrDefault("OPENAI_API_KEY", "");
        double mu = Double.parseDouble(env.getOrDefault("CARROT_MU", "0.3"));

        try (Router router = Router.load(Path.of(env.get("CARROT_ROUTER")))) {
            CarrotChatModel.Builder carrot = CarrotChatModel.builder().router(router).mu(mu);
            for (Map.Entry<String, String> e : parseModels(env.get("CARROT_MODELS")).entrySet()) {
                carrot.model(e.getKey(), OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey)
                        .modelName(e.getValue()).timeout(Duration.ofSeconds(60)).build());
            }
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(carrot.build()).build();

            Result<String> answer = assistant.ask(String.join(" ", args),
                    CarrotChatRequestParameters.builder().mu(mu).build());
            RoutedCall d = CarrotChatResponseMetadata.routedCall(answer.finalResponse()).orElseThrow();
            out.println(answer.content());
            out.printf("-- answered by %s (router's choice %s, mu %.2f, predicted %.6f USD, margin %.4f)%n",
                    d.model(), d.decision().model(), d.mu(), d.predictedCostUsd(), d.decision().margin());
            out.println(DecisionJson.write(d).toPrettyString());
            return 0;
        }
    }

    /** {@code a=x,b=y} into an ordered map. */
    static Map<String, String> parseModels(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("CARROT_MODELS: '" + p + "' is not routerName=providerModel");
            }
            out.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
        }
        return out;
    }
}
