package dev.carrot.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line: {@code carrot serve} and the runnable jar run this class. */
class ServeCommandTest {
    @Test
    void aBadConfigExitsWith2AndNamesTheKey(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("serve.json");
        Files.writeString(file, "{\"router\": \"r\", \"api_keys_env\": \"K\", \"upstreams\": {\"m\": {\"base_url\":"
                + " \"http://127.0.0.1:1/v1\", \"model\": \"m\", \"timeout_s\": 0}}}");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("carrot serve: " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        assertThat(cl.execute("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("upstreams.m.timeout_s: expected a number > 0, got 0");
    }

    @Test
    void noAuthIsRefusedOffLoopback(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("serve.json");
        Files.writeString(file, "{\"router\": \"r\", \"upstreams\": {\"m\": {\"base_url\":"
                + " \"http://127.0.0.1:1/v1\", \"model\": \"m\"}}}");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("carrot serve: " + ex.getMessage());
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        assertThat(cl.execute("--config", file.toString(), "--listen", "10.1.2.3:8000", "--no-auth")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-auth is only allowed with a loopback listen address");
    }

    @Test
    void helpDescribesTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("--config").contains("--listen").contains("--no-auth");
    }
}
