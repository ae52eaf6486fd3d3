package dev.carrot.experiments.addmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.train.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outputs of {@code carrot leave-one-model-out}: {@code summary.json}, {@code models.csv} (per left-out model),
 * {@code runs.csv} (per added router) and the plot of recovered gain against n, {@code recovered.png} and
 * {@code .svg}. Each file is written atomically.
 */
public final class LeaveOneModelOutReport {
    private static final Color[] PALETTE = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4),
            new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd)};

    private LeaveOneModelOutReport() {
    }

    /** Writes every output into {@code dir}; returns the files. */
    public static List<Path> write(Path dir, List<LeaveOneModelOut.Result> results, JsonNode provenance)
            throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<Path> files = new ArrayList<>();
        ObjectNode summary = om.createObjectNode();
        summary.set("provenance", provenance);
        ArrayNode ds = summary.putArray("datasets");
        StringBuilder models = new StringBuilder("dataset,metric,model,without,full,gain,gain_ci_low,gain_ci_high");
        StringBuilder runs = new StringBuilder("dataset,model,method,n,repeat,metric,seconds\n");
        int[] sizes = results.isEmpty() ? new int[0] : results.get(0).sizes();
        for (int n : sizes) {
            models.append(",added_n").append(n);
        }
        for (int n : sizes) {
            models.append(",recovered_n").append(n);
        }
        models.append('\n');
        for (LeaveOneModelOut.Result r : results) {
            ObjectNode d = ds.addObject();
            d.put("dataset", r.dataset());
            d.put("metric", r.metric());
            d.put("train_prompts", r.trainPrompts());
            d.put("test_prompts", r.testPrompts());
            d.put("models", r.models());
            d.put("full_retrain", r.full());
            d.set("sizes", om.valueToTree(r.sizes()));
            d.put("repeats", r.repeats());
            d.put("models_whose_full_retrain_gains", r.gaining());
            d.put("models_whose_gain_interval_excludes_0", r.measurable());
            d.set("mean_recovered", nums(om, r.meanRecovered()));
            d.set("pooled_recovered", nums(om, r.pooledRecovered()));
            d.set("mean_recovered_where_gain_interval_excludes_0", nums(om, r.measurableRecovered()));
            ObjectNode abl = d.putObject("recovered_at_ablation_size");
            r.ablationRecovered().forEach((k, v) -> put(abl, k, v));
            d.put("seconds", r.seconds());
            ArrayNode per = d.putArray("per_model");
            for (LeaveOneModelOut.ModelSummary s : r.summaries()) {
                ObjectNode o = per.addObject();
                o.put("model", s.model());
                o.put("without", s.without());
                o.put("gain", s.gain());
                o.put("gain_ci_low", s.gainLow());
                o.put("gain_ci_high", s.gainHigh());
                o.set("added", nums(om, s.added()));
                o.set("recovered", nums(om, s.recovered()));
                ObjectNode a = o.putObject("ablations");
                s.ablations().forEach((k, v) -> put(a, k, v));
                o.put("train_seconds", s.trainSeconds());
                models.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f", r.dataset(), r.metric(),
                        csv(s.model()), s.without(), r.full(), s.gain(), s.gainLow(), s.gainHigh()));
                for (double v : s.added()) {
                    models.append(String.format(Locale.ROOT, ",%.6f", v));
                }
                for (double v : s.recovered()) {
                    models.append(Double.isNaN(v) ? "," : String.format(Locale.ROOT, ",%.4f", v));
                }
                models.append('\n');
            }
            for (LeaveOneModelOut.Run run : r.runs()) {
                runs.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.6f,%.3f%n", r.dataset(), csv(run.model()),
                        run.method(), run.n(), run.repeat(), run.metric(), run.seconds()));
            }
        }
        Path s = dir.resolve("summary.json");
        AtomicFiles.writeString(s, om.writeValueAsString(summary) + "\n");
        files.add(s);
        Path mc = dir.resolve("models.csv");
        AtomicFiles.writeString(mc, models.toString());
        files.add(mc);
        Path rc = dir.resolve("runs.csv");
        AtomicFiles.writeString(rc, runs.toString());
        files.add(rc);
        if (!results.isEmpty()) {
            XYChart chart = plot(results);
            Path png = dir.resolve("recovered.png");
            Path svg = dir.resolve("recovered.svg");
            System.setProperty("java.awt.headless", "true");
            AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
            AtomicFiles.write(svg, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
            files.add(png);
            files.add(svg);
        }
        return files;
    }

    /** Recovered share of the full retrain's gain against n: per dataset the mean over models and the pooled share. */
    static XYChart plot(List<LeaveOneModelOut.Result> results) {
        XYChart chart = new XYChartBuilder().width(1000).height(650).title("carrot add-model, leave one model out:"
                        + " share of the full retrain's gain recovered from n labelled prompts")
                .xAxisTitle("labelled prompts of the added model, n (log scale)")
                .yAxisTitle("recovered share of the full retrain's gain").build();
        var st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setLegendPosition(Styler.LegendPosition.InsideSE);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        st.setMarkerSize(8);
        st.setYAxisDecimalPattern("0%");
        double lo = 0;
        double hi = 1.2;
        int color = 0;
        int[] sizes = results.get(0).sizes();
        for (LeaveOneModelOut.Result r : results) {
            Color c = PALETTE[color++ % PALETTE.length];
            List<Double> x = new ArrayList<>();
            List<Double> mean = new ArrayList<>();
            List<Double> pooled = new ArrayList<>();
            List<Double> clear = new ArrayList<>();
            for (int j = 0; j < r.sizes().length; j++) {
                if (Double.isNaN(r.meanRecovered()[j])) {
                    continue;
                }
                x.add((double) r.sizes()[j]);
                mean.add(r.meanRecovered()[j]);
                pooled.add(r.pooledRecovered()[j]);
                clear.add(r.measurableRecovered()[j]);
                if (!Double.isNaN(r.measurableRecovered()[j])) {
                    lo = Math.min(lo, r.measurableRecovered()[j]);
                    hi = Math.max(hi, r.measurableRecovered()[j]);
                }
                lo = Math.min(lo, Math.min(r.meanRecovered()[j], r.pooledRecovered()[j]));
                hi = Math.max(hi, Math.max(r.meanRecovered()[j], r.pooledRecovered()[j]));
            }
            if (x.isEmpty()) {
                continue;
            }
            String what = r.metric().equals("area") ? "area" : "quality at mu = 0";
            XYSeries a = chart.addSeries(String.format(Locale.ROOT, "%s (%s): mean over the %d models that gain",
                    r.dataset(), what, r.gaining()), x, mean);
            a.setMarker(SeriesMarkers.CIRCLE);
            a.setLineColor(c);
            a.setMarkerColor(c);
            a.setLineStyle(new BasicStroke(2.4f));
            XYSeries b = chart.addSeries(r.dataset() + ": pooled (sum of added gains / sum of full gains)", x,
                    pooled);
            b.setMarker(SeriesMarkers.DIAMOND);
            b.setLineColor(c);
            b.setMarkerColor(c);
            b.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[]{8f, 5f}, 0f));
            if (r.measurable() > 0) {
                XYSeries e = chart.addSeries(String.format(Locale.ROOT, "%s: mean over the %d models whose gain's 95%%"
                        + " interval excludes 0", r.dataset(), r.measurable()), x, clear);
                e.setMarker(SeriesMarkers.SQUARE);
                e.setLineColor(c.darker());
                e.setMarkerColor(c.darker());
                e.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[]{2f, 3f}, 0f));
            }
        }
        XYSeries goal = chart.addSeries("goal: 80% at n = 100", List.of((double) sizes[0],
                (double) sizes[sizes.length - 1]), List.of(0.8, 0.8));
        goal.setMarker(SeriesMarkers.NONE);
        goal.setLineColor(Color.GRAY);
        goal.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_MITER, 10f,
                new float[]{2f, 4f}, 0f));
        st.setYAxisMin(Math.floor(lo * 10) / 10);
        st.setYAxisMax(Math.ceil(hi * 10) / 10);
        return chart;
    }

    private static ArrayNode nums(ObjectMapper om, double[] v) {
        ArrayNode a = om.createArrayNode();
        for (double x : v) {
            if (Double.isNaN(x)) {
                a.addNull();
            } else {
                a.add(x);
            }
        }
        return a;
    }

    private static void put(ObjectNode o, String k, Double v) {
        if (v == null || v.isNaN()) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
