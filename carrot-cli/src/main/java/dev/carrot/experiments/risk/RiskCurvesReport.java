package dev.carrot.experiments.risk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.train.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes the outputs of {@code carrot risk-curves}, each file atomically:
 *
 * <pre>
 * DIR/summary.json               fits, theory, real-data endpoints, timings, the configuration, provenance
 * DIR/synthetic/config.json      the synthetic configuration used (loadable with --config)
 * DIR/synthetic/runs.csv         setting,router,n,repeat,k,excess_risk,loss,bayes_loss
 * DIR/synthetic/summary.csv      per setting, router and n: mean and geometric mean excess risk, 95% band
 * DIR/synthetic/fits.csv         per setting and router: fitted exponent with 95% CI, theory, verdict
 * DIR/synthetic/SETTING.png|svg  log excess risk against log n
 * DIR/real/runs.csv              dataset,router,fraction,train_prompts,repeat,mu,regret,k_quality,k_cost
 * DIR/real/summary.csv           per dataset, router, fraction and mu: mean regret, 95% band
 * DIR/real/DATASET.png|svg       regret against training prompts
 * </pre>
 */
public final class RiskCurvesReport {
    private RiskCurvesReport() {
    }

    /**
     * Writes everything.
     *
     * @param synthetic  the synthetic result, or null when not run
     * @param real       real-data results (may be empty)
     * @param provenance what ran (command line, versions): stored in summary.json
     * @return the files written
     */
    public static List<Path> write(Path dir, SyntheticRiskCurves.Result synthetic, List<RealDataCurves.Result> real,
                                   ObjectNode provenance) throws IOException {
        Objects.requireNonNull(dir, "dir");
        List<Path> files = new ArrayList<>();
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode summary = om.createObjectNode();
        summary.put("format", "carrot-risk-curves-summary");
        summary.put("version", 1);
        if (provenance != null) {
            summary.set("provenance", provenance);
        }
        if (synthetic != null) {
            summary.set("synthetic", writeSynthetic(dir.resolve("synthetic"), synthetic, files, om));
        }
        if (!real.isEmpty()) {
            summary.set("real", writeReal(dir.resolve("real"), real, files, om));
        }
        Path s = dir.resolve("summary.json");
        AtomicFiles.writeString(s, om.writeValueAsString(summary) + "\n");
        files.add(s);
        return files;
    }

    private static ObjectNode writeSynthetic(Path dir, SyntheticRiskCurves.Result r, List<Path> files,
                                             ObjectMapper om) throws IOException {
        Path config = dir.resolve("config.json");
        AtomicFiles.writeString(config, r.config().toJsonText());
        files.add(config);

        StringBuilder runs = new StringBuilder("setting,router,n,repeat,k,excess_risk,loss,bayes_loss\n");
        for (SyntheticRiskCurves.Run run : r.runs()) {
            runs.append(run.setting()).append(',').append(run.router().id()).append(',').append(run.n()).append(',')
                    .append(run.repeat()).append(',').append(run.k()).append(',').append(run.excessRisk())
                    .append(',').append(run.loss()).append(',').append(run.bayesLoss()).append('\n');
        }
        files.add(csv(dir.resolve("runs.csv"), runs));

        StringBuilder pts = new StringBuilder("setting,router,n,repeats,k,mean_excess_risk,geo_mean_excess_risk,"
                + "mean_log_excess_risk,se_log_excess_risk,band_low,band_high\n");
        for (SyntheticRiskCurves.Point p : r.points()) {
            pts.append(p.setting()).append(',').append(p.router().id()).append(',').append(p.n()).append(',')
                    .append(p.repeats()).append(',').append(p.k()).append(',').append(p.meanExcess()).append(',')
                    .append(p.geometricMean()).append(',').append(p.meanLog()).append(',').append(p.seLog())
                    .append(',').append(p.bandLow()).append(',').append(p.bandHigh()).append('\n');
        }
        files.add(csv(dir.resolve("summary.csv"), pts));

        StringBuilder fits = new StringBuilder("setting,router,d,beta,alpha,theory_exponent,fitted_exponent,ci_low,"
                + "ci_high,r2,points,upper_half_exponent,upper_half_ci_low,upper_half_ci_high,of_mean_exponent,"
                + "of_mean_ci_low,of_mean_ci_high,tolerance,consistent\n");
        ObjectNode out = om.createObjectNode();
        out.put("seconds", r.seconds());
        out.put("tolerance", r.config().tolerance());
        out.put("check", "consistent = the theoretical exponent lies within the 95% CI of the fitted exponent (OLS of"
                + " the mean log excess risk on log n over the whole grid), widened by the tolerance on each side");
        ArrayNode fa = out.putArray("fits");
        for (SyntheticRiskCurves.Fit f : r.fits()) {
            SyntheticSetting s = r.config().settings().stream().filter(x -> x.name().equals(f.setting()))
                    .findFirst().orElseThrow();
            fits.append(f.setting()).append(',').append(f.router().id()).append(',').append(s.dimension())
                    .append(',').append(s.beta()).append(',').append(s.alpha()).append(',')
                    .append(f.theoryExponent()).append(',').append(f.all().exponent()).append(',')
                    .append(f.all().ciLow()).append(',').append(f.all().ciHigh()).append(',').append(f.all().r2())
                    .append(',').append(f.all().points()).append(',').append(f.upperHalf().exponent()).append(',')
                    .append(f.upperHalf().ciLow()).append(',').append(f.upperHalf().ciHigh()).append(',')
                    .append(f.ofMean().exponent()).append(',').append(f.ofMean().ciLow()).append(',')
                    .append(f.ofMean().ciHigh()).append(',').append(r.config().tolerance()).append(',')
                    .append(f.consistent()).append('\n');
            ObjectNode o = fa.addObject();
            o.put("setting", f.setting());
            o.put("router", f.router().id());
            o.put("dimension", s.dimension());
            o.put("beta", s.beta());
            o.put("alpha", s.alpha());
            o.put("theory_exponent", f.theoryExponent());
            o.put("fitted_exponent", f.all().exponent());
            o.putArray("ci95").add(f.all().ciLow()).add(f.all().ciHigh());
            o.put("r2", f.all().r2());
            o.put("upper_half_exponent", f.upperHalf().exponent());
            o.putArray("upper_half_ci95").add(f.upperHalf().ciLow()).add(f.upperHalf().ciHigh());
            o.put("of_mean_exponent", f.ofMean().exponent());
            o.putArray("of_mean_ci95").add(f.ofMean().ciLow()).add(f.ofMean().ciHigh());
            o.put("consistent", f.consistent());
            o.put("seconds", f.seconds());
            List<SyntheticRiskCurves.Point> p = r.points(f.setting(), f.router());
            o.put("excess_risk_at_n_min", p.get(0).geometricMean());
            o.put("excess_risk_at_n_max", p.get(p.size() - 1).geometricMean());
        }
        files.add(csv(dir.resolve("fits.csv"), fits));
        out.set("config", r.config().toJson());
        for (SyntheticSetting s : r.config().settings()) {
            Path png = dir.resolve(s.name() + ".png");
            Path svg = dir.resolve(s.name() + ".svg");
            RiskPlot.write(RiskPlot.synthetic(r, s), png, svg);
            files.add(png);
            files.add(svg);
        }
        return out;
    }

    private static ObjectNode writeReal(Path dir, List<RealDataCurves.Result> results, List<Path> files,
                                        ObjectMapper om) throws IOException {
        StringBuilder runs = new StringBuilder("dataset,router,fraction,train_prompts,repeat,mu,regret,k_quality,"
                + "k_cost\n");
        StringBuilder pts = new StringBuilder("dataset,router,fraction,train_prompts,mu,repeats,mean_regret,se,"
                + "band_low,band_high\n");
        ObjectNode out = om.createObjectNode();
        out.put("regret", "mean over test prompts of max_m U_im - U_i,r(i), U = (1 - mu) quality - mu cost / scale;"
                + " the oracle sees realised outcomes, so the Bayes router's regret is not 0");
        for (RealDataCurves.Result r : results) {
            for (RealDataCurves.Run run : r.runs()) {
                runs.append(r.dataset()).append(',').append(run.router()).append(',').append(run.fraction())
                        .append(',').append(run.trainPrompts()).append(',').append(run.repeat()).append(',')
                        .append(run.mu()).append(',').append(run.regret()).append(',').append(run.kQuality())
                        .append(',').append(run.kCost()).append('\n');
            }
            for (RealDataCurves.Point p : r.points()) {
                pts.append(r.dataset()).append(',').append(p.router()).append(',').append(p.fraction()).append(',')
                        .append(p.trainPrompts()).append(',').append(p.mu()).append(',').append(p.repeats())
                        .append(',').append(p.meanRegret()).append(',').append(p.se()).append(',')
                        .append(p.bandLow()).append(',').append(p.bandHigh()).append('\n');
            }
            ObjectNode o = out.putObject(r.dataset());
            o.put("train_pool", r.trainPool());
            o.put("test_prompts", r.testPrompts());
            o.put("has_cost", r.hasCost());
            o.put("cost_scale", r.costScale());
            o.put("seconds", r.seconds());
            ArrayNode curves = o.putArray("curves");
            for (String router : r.routers()) {
                for (int u = 0; u < r.mus().length; u++) {
                    double mu = r.mus()[u];
                    List<RealDataCurves.Point> p = r.points(router, mu);
                    ObjectNode c = curves.addObject();
                    c.put("router", router);
                    c.put("mu", mu);
                    c.put("oracle_utility", r.oracleUtility()[u]);
                    ArrayNode ns = c.putArray("train_prompts");
                    ArrayNode rs = c.putArray("mean_regret");
                    ArrayNode se = c.putArray("se");
                    for (RealDataCurves.Point x : p) {
                        ns.add(x.trainPrompts());
                        rs.add(x.meanRegret());
                        se.add(x.se());
                    }
                }
            }
            Path png = dir.resolve(r.dataset() + ".png");
            Path svg = dir.resolve(r.dataset() + ".svg");
            RiskPlot.write(RiskPlot.real(r), png, svg);
            files.add(png);
            files.add(svg);
        }
        files.add(csv(dir.resolve("runs.csv"), runs));
        files.add(csv(dir.resolve("summary.csv"), pts));
        return out;
    }

    private static Path csv(Path file, StringBuilder text) throws IOException {
        AtomicFiles.writeString(file, text.toString());
        return file;
    }
}
