package dev.carrot.train.eval;

import dev.carrot.train.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.RadarChart;
import org.knowm.xchart.RadarChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The evaluation's figures, as PNG and SVG (XChart, headless). */
final class EvalPlots {
    private EvalPlots() {
    }

    /** Writes {@code base.png} and {@code base.svg}. */
    static void save(Chart<?, ?> chart, Path base) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String name = base.getFileName().toString();
        AtomicFiles.write(base.resolveSibling(name + ".png"),
                out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        AtomicFiles.write(base.resolveSibling(name + ".svg"),
                out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
                        VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }

    static void curves(Evaluation e, List<String> models, Path base, boolean hasCost) throws IOException {
        XYChart chart = CurvePlot.chart(e, models, hasCost);
        // baselines dashed
        for (XYSeries s : chart.getSeriesMap().values()) {
            String n = s.getName();
            if (n.startsWith("random-mix") || n.startsWith("routerbench-style") || n.startsWith("two-model")
                    || n.startsWith("shuffled")) {
                s.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[]{6f, 4f}, 0f));
            }
        }
        save(chart, base);
    }

    /**
     * The paper's spider plot: per task, the main router's quality over the task's best model's quality when it may
     * spend 10%, 20% and 30% of that model's cost.
     */
    static void perTask(Map<String, double[]> ratios, List<String> tasks, String main, Path base) throws IOException {
        if (tasks.size() < 3) {
            // a radar needs three axes; with fewer tasks, a bar-like XY chart says the same
            XYChart chart = new XYChartBuilder().width(800).height(500).title("quality / best model's quality, per task ("
                    + main + ")").xAxisTitle("share of the best model's cost").yAxisTitle("quality ratio").build();
            double[] x = new double[EvalJob.BUDGET_FRACTIONS.length];
            for (int f = 0; f < x.length; f++) {
                x[f] = EvalJob.BUDGET_FRACTIONS[f];
            }
            double[] v = ratios.get(main);
            for (int t = 0; t < tasks.size(); t++) {
                double[] y = new double[x.length];
                for (int f = 0; f < x.length; f++) {
                    y[f] = v[t * x.length + f];
                }
                chart.addSeries(tasks.get(t), x, y);
            }
            save(chart, base);
            return;
        }
        RadarChart chart = new RadarChartBuilder().width(800).height(700)
                .title("Quality of " + main + " over the best model's, at 10/20/30% of that model's cost").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.setRadiiLabels(tasks.toArray(new String[0]));
        double[] v = ratios.get(main);
        int fr = EvalJob.BUDGET_FRACTIONS.length;
        for (int f = 0; f < fr; f++) {
            double[] vals = new double[tasks.size()];
            String[] tips = new String[tasks.size()];
            for (int t = 0; t < tasks.size(); t++) {
                vals[t] = Math.min(1.0, Math.max(0.0, v[t * fr + f]));
                tips[t] = String.format(Locale.ROOT, "%.3f", v[t * fr + f]);
            }
            chart.addSeries(String.format(Locale.ROOT, "%d%% of the best model's cost",
                    Math.round(EvalJob.BUDGET_FRACTIONS[f] * 100)), vals, tips);
        }
        save(chart, base);
    }

    /** Realised test cost against the budget target, per router, with the line where they are equal. */
    static void calibration(Map<String, double[][]> xy, Path base) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(600)
                .title("Budget calibration: target (chosen on validation) vs realised test cost")
                .xAxisTitle("budget target (USD per query)").yAxisTitle("realised test cost (USD per query)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double[][] v : xy.values()) {
            XYSeries s = chart.addSeries(xy.entrySet().stream().filter(e -> e.getValue() == v).findFirst()
                    .orElseThrow().getKey(), v[0], v[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            for (double x : v[0]) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        List<Double> diag = new ArrayList<>(List.of(lo, hi));
        XYSeries d = chart.addSeries("realised = target", diag, diag);
        d.setMarker(SeriesMarkers.NONE);
        d.setLineColor(Color.GRAY);
        save(chart, base);
    }
}
