import dev.carrot.data.*;
import dev.carrot.route.*;
import dev.carrot.route.encoder.*;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.*;
import dev.carrot.train.*;
import dev.carrot.train.embed.CachingPromptEncoder;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

/**
 * Dumps, for each variant of a carrot train output, the validation predictions and outcomes stored in its artifact
 * (calibration_data), its predictions for the test prompts (through the router itself) and the realised test, train
 * and validation outcomes, as raw little-endian float64 files, for policy_experiments.py.
 *
 * <p>java -cp CLASSPATH PolicyDump.java DATA RUN_DIR OUT_DIR (CLASSPATH: carrot-cli's, e.g. from
 * mvn -pl carrot-cli -am dependency:build-classpath; embeddings come from $CARROT_CACHE_DIR)
 */
public class PolicyDump {
    public static void main(String[] a) throws Exception {
        String spec = a[0]; Path runDir = Path.of(a[1]); Path out = Path.of(a[2]);
        Files.createDirectories(out);
        RoutingDataset ds = TrainJob.trainingView(new DatasetLoader(DatasetLoader.Options.defaults()).load(spec));
        EncoderOptions eo = new EncoderOptions().withCacheDir(CarrotHome.cacheDir());
        int[] te = ds.indicesOf(RoutingDataset.TEST);
        int m = ds.modelCount();
        try (PromptEncoder enc = CachingPromptEncoder.inCacheDir(Encoders.miniLm(eo), eo)) {
            Embedded emb = Embedded.of(ds, enc, ds.hasTokens(), Progress.silent("e", ds.size()));
            double[] q = ds.qualityMatrix(); double[] c = ds.costMatrix();
            write(out.resolve("test_tq.f64"), rows(q, m, te)); write(out.resolve("test_tc.f64"), rows(c, m, te));
            Files.writeString(out.resolve("models.txt"), String.join("\n", ds.models()));
            int[] tr = ds.indicesOf(RoutingDataset.TRAIN); int[] va = ds.indicesOf(RoutingDataset.VALIDATION);
            write(out.resolve("train_tq.f64"), rows(q, m, tr)); write(out.resolve("train_tc.f64"), rows(c, m, tr));
            write(out.resolve("valall_tq.f64"), rows(q, m, va)); write(out.resolve("valall_tc.f64"), rows(c, m, va));
            int dim = emb.dimension(); double[] ev = new double[emb.vectors().length];
            for (int i = 0; i < ev.length; i++) ev[i] = emb.vectors()[i];
            write(out.resolve("emb_train.f64"), rows(ev, dim, tr)); write(out.resolve("emb_val.f64"), rows(ev, dim, va)); write(out.resolve("emb_test.f64"), rows(ev, dim, te));
            StringBuilder tasks = new StringBuilder();
            for (int r : te) tasks.append(ds.task(r).orElse("")).append('\n');
            Files.writeString(out.resolve("test_tasks.txt"), tasks);
            try (var dirs = Files.list(runDir.resolve("routers"))) {
                for (Path d : dirs.toList()) {
                    String v = d.getFileName().toString();
                    RouterModel rm = RouterArtifact.read(d);
                    CalibrationData cd = rm.calibrationData().orElseThrow();
                    for (var e : cd.arrays().entrySet()) write(out.resolve(v + "_val_" + e.getKey() + ".f64"), f2d(e.getValue()));
                    try (Router r = Router.load(d)) {
                        TestPredictions p = TestPredictions.of(r, emb, te);
                        write(out.resolve(v + "_test_pq.f64"), p.quality()); write(out.resolve(v + "_test_pc.f64"), p.cost());
                    }
                    Files.writeString(out.resolve(v + "_scale.txt"), Double.toString(rm.costScaleUsd()));
                }
            }
        }
    }
    static double[] f2d(float[] f) { double[] d = new double[f.length]; for (int i = 0; i < f.length; i++) d[i] = f[i]; return d; }
    static double[] rows(double[] x, int m, int[] r) { double[] o = new double[r.length * m]; for (int i = 0; i < r.length; i++) System.arraycopy(x, r[i] * m, o, i * m, m); return o; }
    static void write(Path p, double[] d) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : d) b.putDouble(v);
        Files.write(p, b.array());
    }
}
