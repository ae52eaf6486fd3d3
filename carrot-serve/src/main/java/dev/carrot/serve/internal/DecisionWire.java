package dev.carrot.serve.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.Decision;
import dev.carrot.route.Receipt;

import java.util.Locale;

/**
 * The JSON form of a carrot-route {@link Decision} that the gateway's answers embed, with the field names of
 * {@code carrot route --json} ({@code model, mu, budget, margin, within_cost_cap, cost_model, receipts[...]}).
 * One of the two classes that use carrot-route's types: when carrot-route's own {@code DecisionJson} lands, this
 * class becomes a call to it.
 */
public final class DecisionWire {
    private DecisionWire() {
    }

    public static ObjectNode toJson(Decision d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("model", d.model());
        o.put("mu", d.mu());
        d.budget().ifPresent(b -> {
            ObjectNode bo = o.putObject("budget");
            bo.put("mu", b.mu());
            bo.put("alternative_mu", b.alternativeMu());
            bo.put("alternative_probability", b.alternativeProbability());
            bo.put("validation_cost_usd", b.validationCost());
            bo.put("validation_quality", b.validationQuality());
            bo.put("reachable", b.reachable());
        });
        num(o, "margin", d.margin());
        o.put("within_cost_cap", d.withinCostCap());
        o.put("cost_model", d.costModel());
        ArrayNode rs = o.putArray("receipts");
        for (Receipt r : d.receipts()) {
            ObjectNode e = rs.addObject();
            e.put("model", r.model());
            e.put("status", r.status().name().toLowerCase(Locale.ROOT));
            e.put("quality", r.quality());
            num(e, "input_tokens", r.inputTokens());
            num(e, "output_tokens", r.outputTokens());
            e.put("cost_usd", r.costUsd());
            e.put("scaled_cost", r.scaledCost());
            e.put("utility", r.utility());
            num(e, "margin_to_chosen", r.marginToChosen());
        }
        return o;
    }

    private static void num(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }
}
