package dev.carrot.train.eval;

import dev.carrot.train.AtomicFiles;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
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
import dev.carrot.data.longformat.LongFormatReader;
import dev.carrot.data.longformat.FileType;

/** Draws the cost-quality plot: one line per router, a point per single model, the oracle. XChart, headless. */
public final class CurvePlot {
    private static final Color[] PALETTE = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4),
            new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd), new Color(0xff, 0x7f, 0x0e),
            new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f)};

    private CurvePlot() {
    }

    static void write(Evaluation e, List<String> models, Path png, boolean hasCost) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = chart(e, models, hasCost);
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** A file name without folders and extension, or an HF repo id. */
    static String shortName(String source) {
        String s = source.replaceFirst("^hf://datasets/", "");
        if (s.contains("/") && !source.startsWith("hf://")) {
            s = s.substring(s.lastIndexOf('/') + 1);
        }
        return dev.carrot.data.longformat.FileType.stripExtension(s);
    }

    static XYChart chart(Evaluation e, List<String> models, boolean hasCost) {
        XYChart chart = new XYChartBuilder().width(1000).height(700)
                .title("CARROT on " + shortName(e.summary().get("dataset").asText()) + " (" + e.prompts()
                        + " test prompts)")
                .xAxisTitle(hasCost ? "mean cost per query (USD, log scale)" : "quality-only data: no cost")
                .yAxisTitle("mean quality").build();
        Styler st = chart.getStyler();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLogarithmic(hasCost);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setAnnotationTextFontColor(new Color(0x44, 0x44, 0x44));
        chart.getStyler().setAnnotationTextFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10));
        st.setDecimalPattern("#.####");
        int color = 0;
        for (Curve c : e.curves()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            // the frontier as the router traces it, from cheap to dear, without repeated points
            double lastX = Double.NaN;
            double lastY = Double.NaN;
            for (int g = c.points() - 1; g >= 0; g--) {
                double x = hasCost ? Math.max(c.cost()[g], 1e-9) : g;
                if (x != lastX || c.quality()[g] != lastY) {
                    xs.add(x);
                    ys.add(c.quality()[g]);
                    lastX = x;
                    lastY = c.quality()[g];
                }
            }
            if (!hasCost) {
                xs = List.of(1.0, 2.0);
                ys = List.of(c.quality()[0], c.quality()[0]);
            }
            XYSeries s = chart.addSeries(c.name(), xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(PALETTE[color++ % PALETTE.length]);
            s.setLineStyle(new BasicStroke(2.2f));
        }
        for (int j = 0; j < models.size(); j++) {
            double x = hasCost ? Math.max(e.singleCost(j), 1e-9) : 1.5;
            XYSeries s = chart.addSeries(models.get(j), List.of(x), List.of(e.singleQuality(j)));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND);
            s.setMarkerColor(new Color(0x55, 0x55, 0x55));
            s.setShowInLegend(false);
            String label = models.get(j).substring(models.get(j).lastIndexOf('/') + 1);
            chart.addAnnotation(new AnnotationText(label.length() > 28 ? label.substring(0, 27) + "." : label, x,
                    e.singleQuality(j) + 0.006, false));
        }
        XYSeries o = chart.addSeries("oracle", List.of(hasCost ? Math.max(e.oracleCost(), 1e-9) : 1.5),
                List.of(e.oracleQuality()));
        o.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        o.setMarker(SeriesMarkers.CIRCLE);
        o.setMarkerColor(Color.BLACK);
        XYSeries legend = chart.addSeries("single models", List.of(hasCost ? Math.max(e.singleCost(0), 1e-9) : 1.5),
                List.of(e.singleQuality(0)));
        legend.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        legend.setMarker(SeriesMarkers.DIAMOND);
        legend.setMarkerColor(new Color(0x55, 0x55, 0x55));
        return chart;
    }
}
