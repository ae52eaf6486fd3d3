package dev.carrot.experiments.risk;

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

/** The learning-curve plots: risk against n on log-log axes, with 95% bands. XChart, headless. */
final class RiskPlot {
    private static final Color[] PALETTE = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4),
            new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd), new Color(0xff, 0x7f, 0x0e),
            new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f)};
    private static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[]{8f, 5f}, 0f);
    private static final BasicStroke DOTTED = new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_MITER,
            10f, new float[]{2f, 4f}, 0f);

    private RiskPlot() {
    }

    /** Writes the chart as PNG and SVG, each atomically. */
    static void write(XYChart chart, Path png, Path svg) throws IOException {
        System.setProperty("java.awt.headless", "true");
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        AtomicFiles.write(svg, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }

    private static XYChart base(int width, String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(width).height(700).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setYAxisLogarithmic(true);
        st.setLegendPosition(Styler.LegendPosition.InsideSW);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        st.setMarkerSize(7);
        return chart;
    }

    private static Color translucent(Color c) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), 50);
    }

    private static void band(XYChart chart, String name, List<Double> x, List<Double> lo, List<Double> hi,
                             Color color) {
        List<Double> px = new ArrayList<>(x);
        List<Double> py = new ArrayList<>(lo);
        for (int i = x.size() - 1; i >= 0; i--) {
            px.add(x.get(i));
            py.add(hi.get(i));
        }
        XYSeries s = chart.addSeries(name, px, py);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setMarker(SeriesMarkers.NONE);
        s.setFillColor(translucent(color));
        s.setLineColor(translucent(color));
        s.setShowInLegend(false);
    }

    private static void line(XYChart chart, String name, List<Double> x, List<Double> y, Color color) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(2.2f));
    }

    private static void reference(XYChart chart, String name, double x0, double x1, double logIntercept,
                                  double exponent, Color color, BasicStroke stroke) {
        XYSeries s = chart.addSeries(name, List.of(x0, x1), List.of(Math.exp(logIntercept - exponent * Math.log(x0)),
                Math.exp(logIntercept - exponent * Math.log(x1))));
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(stroke);
    }

    /** Excess risk against n for one synthetic setting: each router with its band and fit, and the theory. */
    static XYChart synthetic(SyntheticRiskCurves.Result r, SyntheticSetting s) {
        SyntheticRiskCurves.Fit knnFit = r.fit(s.name(), SyntheticRiskCurves.RouterKind.KNN);
        XYChart chart = base(1000, String.format(Locale.ROOT, "%s: d = %d, beta = %s, alpha = %s; KNN exponent %.3f"
                        + " [%.3f, %.3f], theory %.3f", s.name(), s.dimension(), num(s.beta()), num(s.alpha()),
                knnFit.all().exponent(), knnFit.all().ciLow(), knnFit.all().ciHigh(), s.theoryExponent()),
                "training prompts n (log scale)", "excess risk L(Bayes) - L(router) (log scale)");
        int color = 0;
        double x0 = r.config().nMin();
        double x1 = r.config().sizes()[r.config().sizes().length - 1];
        for (SyntheticRiskCurves.RouterKind kind : SyntheticRiskCurves.RouterKind.values()) {
            List<SyntheticRiskCurves.Point> pts = r.points(s.name(), kind);
            if (pts.isEmpty()) {
                continue;
            }
            Color c = PALETTE[color++ % PALETTE.length];
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> lo = new ArrayList<>();
            List<Double> hi = new ArrayList<>();
            for (SyntheticRiskCurves.Point p : pts) {
                x.add((double) p.n());
                y.add(p.geometricMean());
                lo.add(p.bandLow());
                hi.add(p.bandHigh());
            }
            band(chart, kind.id() + " 95% band", x, lo, hi, c);
            String label = kind == SyntheticRiskCurves.RouterKind.KNN
                    ? String.format(Locale.ROOT, "KNN, k = ceil(%s n^%.3f) (geometric mean of %d repeats)",
                    num(r.config().knnConstant()), s.kExponent(), pts.get(0).repeats())
                    : String.format(Locale.ROOT, "logistic on x (misspecified; %d repeats)", pts.get(0).repeats());
            line(chart, label, x, y, c);
            SyntheticRiskCurves.Fit f = r.fit(s.name(), kind);
            reference(chart, String.format(Locale.ROOT, "%s fit: n^%+.3f", kind.id(), -f.all().exponent()), x0, x1,
                    f.all().intercept(), f.all().exponent(), c, DASHED);
        }
        // the theoretical slope through the centre of the KNN points
        List<SyntheticRiskCurves.Point> knn = r.points(s.name(), SyntheticRiskCurves.RouterKind.KNN);
        double mx = 0;
        double my = 0;
        for (SyntheticRiskCurves.Point p : knn) {
            mx += Math.log(p.n());
            my += p.meanLog();
        }
        mx /= knn.size();
        my /= knn.size();
        reference(chart, String.format(Locale.ROOT, "theory: n^-%.3f = n^-beta(1+alpha)/(2beta+d)",
                s.theoryExponent()), x0, x1, my + s.theoryExponent() * mx, s.theoryExponent(), Color.BLACK, DOTTED);
        return chart;
    }

    /**
     * Test regret against training prompts for one real dataset: KNN (with its 95% band over the random subsets) and
     * the best single model, per mu.
     */
    static XYChart real(RealDataCurves.Result r) {
        XYChart chart = base(1250, "learning curve on " + r.dataset() + " (" + r.testPrompts() + " test prompts):"
                        + " regret against the per-prompt oracle", "training prompts (log scale)",
                "test regret: oracle utility - router utility");
        // regret tends to the Bayes router's regret against the oracle, not to 0: a linear axis shows it better
        chart.getStyler().setYAxisLogarithmic(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        int color = 0;
        for (double mu : r.mus()) {
            Color c = PALETTE[color++ % PALETTE.length];
            for (String router : r.routers()) {
                List<RealDataCurves.Point> pts = r.points(router, mu);
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                List<Double> lo = new ArrayList<>();
                List<Double> hi = new ArrayList<>();
                for (RealDataCurves.Point p : pts) {
                    x.add((double) p.trainPrompts());
                    y.add(p.meanRegret());
                    lo.add(p.bandLow());
                    hi.add(p.bandHigh());
                }
                String name = String.format(Locale.ROOT, "%s, mu = %s", router, num(mu));
                if (router.equals(RealDataCurves.KNN)) {
                    band(chart, name + " band", x, lo, hi, c);
                    line(chart, name, x, y, c);
                } else {
                    XYSeries s = chart.addSeries(name, x, y);
                    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(c);
                    s.setLineStyle(DASHED);
                }
            }
        }
        return chart;
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v)
                : String.format(Locale.ROOT, "%.4g", v).replaceFirst("0+$", "");
    }
}
