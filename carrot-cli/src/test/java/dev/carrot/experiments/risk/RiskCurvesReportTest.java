package dev.carrot.experiments.risk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.carrot.train.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RiskCurvesReportTest {

    @Test
    void writesCsvJsonAndPlots(@TempDir Path dir) throws IOException {
        RiskCurveConfig c = new RiskCurveConfig(List.of(RiskCurveConfig.setting1d(), RiskCurveConfig.setting2d()),
                100, 400, 2, 3, 1.0, 1_024, 2, 2, 0.2, 1e-4, 0.15);
        SyntheticRiskCurves.Result s = new SyntheticRiskCurves(c).run(2, Progress.silent("t", 1));
        RealDataCurvesTest.Fixture f = RealDataCurvesTest.fixture(200, 50, 4);
        RealDataCurves.Result r = new RealDataCurves(new RealDataCurves.Options(2, 2, 1, new double[]{0, 0.5},
                new int[]{2, 4}, 5)).run("fixture", f.data(), f.emb(), 1, Progress.silent("t", 1));

        List<Path> files = RiskCurvesReport.write(dir, s, List.of(r), null);

        assertThat(files).allSatisfy(p -> assertThat(p).isRegularFile());
        assertThat(dir.resolve("synthetic/runs.csv")).content()
                .startsWith("setting,router,n,repeat,k,excess_risk,loss,bayes_loss\n").contains("d2-alpha1,logistic");
        assertThat(Files.readAllLines(dir.resolve("synthetic/runs.csv"))).hasSize(1 + 2 * 3 * 2 * 2);
        assertThat(Files.readAllLines(dir.resolve("synthetic/summary.csv"))).hasSize(1 + 2 * 3 * 2);
        assertThat(Files.readAllLines(dir.resolve("synthetic/fits.csv"))).hasSize(1 + 2 * 2)
                .first().asString().startsWith("setting,router,d,beta,alpha,theory_exponent,fitted_exponent,ci_low");
        assertThat(RiskCurveConfig.load(dir.resolve("synthetic/config.json"))).isEqualTo(c);
        assertThat(Files.readAllLines(dir.resolve("real/runs.csv"))).hasSize(1 + 3 * 2 * 2 * 2);
        assertThat(dir.resolve("real/summary.csv")).content().startsWith("dataset,router,fraction,train_prompts,mu");
        for (String plot : List.of("synthetic/d1-alpha1", "synthetic/d2-alpha1", "real/fixture")) {
            byte[] png = Files.readAllBytes(dir.resolve(plot + ".png"));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            assertThat(dir.resolve(plot + ".svg")).content().startsWith("<?xml").contains("<svg");
        }
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("format").asText()).isEqualTo("carrot-risk-curves-summary");
        assertThat(summary.at("/synthetic/fits")).hasSize(4);
        assertThat(summary.at("/synthetic/fits/0/theory_exponent").asDouble()).isEqualTo(2.0 / 3);
        assertThat(summary.at("/real/fixture/curves")).hasSize(4);
        assertThat(Files.list(dir.resolve("synthetic")).map(Path::toString)).noneMatch(p -> p.endsWith(".tmp"));
    }
}
