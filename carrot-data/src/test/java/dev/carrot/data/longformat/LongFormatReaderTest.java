package dev.carrot.data.longformat;

import dev.carrot.data.DatasetFormatException;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.SharedData;
import dev.carrot.data.SplitPolicy;
import dev.carrot.data.internal.DuckDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LongFormatReaderTest {

    private static final String HEADER = "prompt_id,prompt,model,score,split,task,input_tokens,output_tokens,cost_usd\n";

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- real data

    @Test
    void readsRouterbenchSubsetAndDropsThePromptsWithANullScore() throws Exception {
        Path file = SharedData.routerbench();
        RoutingDataset d = new LongFormatReader().read(file);

        assertThat(d.modelCount()).isEqualTo(11);
        assertThat(d.size()).isEqualTo(3178 - 28);
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(LongFormatReader.MISSING_SCORE, 28));
        assertThat(d.provenance().rowsRead()).isEqualTo(34_958);
        assertThat(d.hasCost()).isTrue();
        assertThat(d.hasTokens()).isFalse();
        assertThat(d.hasTasks()).isTrue();
        // RouterDC's split: 2225 train, 953 test source rows, minus 20 / 8 with a null score; train has no
        // validation, so 10% of it is carved out by hash
        Map<String, Integer> splits = d.splitCounts();
        assertThat(splits.get("train") + splits.get("validation")).isEqualTo(2205);
        assertThat(splits.get("test")).isEqualTo(945);
        assertThat(splits.get("validation")).isBetween(170, 270);
        assertThat(d.provenance().files()).hasSize(1);
        assertThat(d.provenance().files().get(0).sha256()).matches("[0-9a-f]{64}");

        // every mean equals an independent SQL aggregate over the same file
        Map<String, double[]> expected = sql(file, "SELECT model, avg(score), avg(cost_usd) FROM read_parquet(%s)"
                + " WHERE prompt_id NOT IN (SELECT prompt_id FROM read_parquet(%s) WHERE score IS NULL) GROUP BY model");
        assertThat(expected).hasSize(11);
        for (String model : d.models()) {
            int m = d.modelIndex(model);
            assertThat(d.meanQuality(m)).as(model).isCloseTo(expected.get(model)[0], within(1e-12));
            assertThat(d.meanCost(m)).as(model).isCloseTo(expected.get(model)[1], within(1e-15));
        }
        int gpt4 = d.modelIndex("gpt-4-1106-preview");
        assertThat(d.meanQuality(gpt4)).isCloseTo(0.88, within(0.01));
    }

    @Test
    void readsRouterdc7modelWithItsThreeSplits() throws Exception {
        RoutingDataset d = new LongFormatReader().read(SharedData.routerdc());

        assertThat(d.size()).isEqualTo(20_600);
        assertThat(d.modelCount()).isEqualTo(7);
        assertThat(d.provenance().dropped()).isEmpty();
        assertThat(d.hasCost()).isFalse();
        assertThat(d.hasTokens()).isFalse();
        Map<String, Integer> splits = d.splitCounts();
        assertThat(splits.get("train") + splits.get("validation")).isEqualTo(7598);
        assertThat(splits.get("test")).isEqualTo(10_121);
        assertThat(splits.get("unsplit")).isEqualTo(2881);
        assertThat(d.provenance().notes()).anyMatch(n -> n.contains("cost_usd is null in every row"));
        // graded scores survive exactly
        Map<String, double[]> expected = sql(SharedData.routerdc(),
                "SELECT model, avg(score), 0 FROM read_parquet(%s) WHERE %s IS NOT NULL GROUP BY model");
        for (String model : d.models()) {
            assertThat(d.meanQuality(d.modelIndex(model))).isCloseTo(expected.get(model)[0], within(1e-12));
        }
    }

    @Test
    void csvJsonlAndParquetOfTheSameDataGiveTheSameDataset() throws Exception {
        Path src = SharedData.routerbench();
        Path csv = tmp.resolve("rb.csv");
        Path jsonl = tmp.resolve("rb.jsonl");
        Path parquet = tmp.resolve("rb.parquet");
        String sample = "SELECT prompt_id, prompt, model, score, split, task, cost_usd FROM read_parquet(" + DuckDb.literal(src)
                + ") WHERE task = 'mbpp'";
        exec("COPY (" + sample + ") TO " + DuckDb.literal(csv) + " (HEADER, DELIMITER ',')");
        exec("COPY (" + sample + ") TO " + DuckDb.literal(jsonl) + " (FORMAT JSON)");
        exec("COPY (" + sample + ") TO " + DuckDb.literal(parquet) + " (FORMAT PARQUET)");
        Path jsonArray = tmp.resolve("rb.json");
        exec("COPY (" + sample + ") TO " + DuckDb.literal(jsonArray) + " (FORMAT JSON, ARRAY true)");

        RoutingDataset a = new LongFormatReader().read(parquet);
        RoutingDataset b = new LongFormatReader().read(csv);
        RoutingDataset c = new LongFormatReader().read(jsonl);
        assertThat(a.size()).isEqualTo(299 + 128);
        assertThat(b.provenance().contentSha256()).isEqualTo(a.provenance().contentSha256());
        assertThat(c.provenance().contentSha256()).isEqualTo(a.provenance().contentSha256());
        assertThat(Files.readString(jsonArray)).startsWith("[");
        assertThat(new LongFormatReader().read(jsonArray).provenance().contentSha256())
                .isEqualTo(a.provenance().contentSha256());
    }

    // ---------------------------------------------------------------- documented drops and splits

    @Test
    void aPromptMissingAModelRowIsDroppedAndCounted() throws Exception {
        Path f = csv("p1,hello,a,1,train,t,,,\np1,hello,b,0,train,t,,,\np2,world,a,0.5,test,t,,,\n");
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.promptId(0)).isEqualTo("p1");
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(LongFormatReader.MISSING_MODEL, 1));
        assertThat(d.provenance().droppedExamples().get(LongFormatReader.MISSING_MODEL)).containsExactly("p2");
    }

    @Test
    void aNullScoreDropsThePrompt() throws Exception {
        Path f = csv("p1,hello,a,1,test,,,,\np1,hello,b,,test,,,,\np2,world,a,0.5,test,,,,\np2,world,b,0.25,test,,,,\n");
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.quality(0, 1)).isEqualTo(0.25);
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(LongFormatReader.MISSING_SCORE, 1));
    }

    @Test
    void dataWithoutASplitColumnIsSplitByAStableHashOfThePromptId() throws Exception {
        StringBuilder sb = new StringBuilder("prompt_id,prompt,model,score\n");
        for (int i = 0; i < 2000; i++) {
            sb.append("q").append(i).append(",text ").append(i).append(",a,1\n");
        }
        Path f = tmp.resolve("mine.csv");
        Files.writeString(f, sb);
        RoutingDataset d = new LongFormatReader().read(f);
        Map<String, Integer> s = d.splitCounts();
        assertThat(s.keySet()).containsExactly("train", "validation", "test");
        assertThat(s.get("train")).isBetween(1330, 1470);
        assertThat(s.get("validation")).isBetween(150, 250);
        assertThat(d.provenance().notes()).anyMatch(n -> n.contains("SHA-256 of prompt_id"));
        // the same prompt lands in the same split when other prompts change
        Files.writeString(f, sb.append("extra,more,a,0\n"));
        RoutingDataset again = new LongFormatReader().read(f);
        for (int i = 0; i < d.size(); i++) {
            assertThat(again.split(i)).isEqualTo(d.split(i));
        }
        // and a different salt gives a different split
        RoutingDataset salted = new LongFormatReader(new SplitPolicy(0.7, 0.1, 0.1, "other")).read(f);
        int differ = 0;
        for (int i = 0; i < d.size(); i++) {
            differ += salted.split(i).equals(d.split(i)) ? 0 : 1;
        }
        assertThat(differ).isGreaterThan(100);
    }

    @Test
    void filesNamedLikeSplitsGiveTheirSplit() throws Exception {
        Path train = tmp.resolve("train-00000-of-00001.csv");
        Path test = tmp.resolve("test.csv");
        Files.writeString(train, "prompt_id,prompt,model,score\na,x,m,1\nb,y,m,0\n");
        Files.writeString(test, "prompt_id,prompt,model,score\nc,z,m,1\n");
        RoutingDataset d = new LongFormatReader(new SplitPolicy(0.7, 0.1, 0, "s"))
                .read(List.of(train, test), "two files", java.util.Optional.empty(), java.util.Optional.empty(), null);
        assertThat(d.splitCounts()).containsExactly(Map.entry("train", 2), Map.entry("test", 1));
        assertThat(d.provenance().files()).extracting(f -> f.rows()).containsExactly(2L, 1L);
    }

    @Test
    void tokensAndCostsAreRead() throws Exception {
        Path f = csv("p1,hi,a,1,train,t,10,20,0.5\np1,hi,b,0,train,t,11,0,0\n");
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.hasTokens()).isTrue();
        assertThat(d.inputTokens(0, 1)).isEqualTo(11);
        assertThat(d.outputTokens(0, 0)).isEqualTo(20);
        assertThat(d.cost(0, 0)).isEqualTo(0.5);
        assertThat(d.task(0)).contains("t");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void missingRequiredColumnIsNamed() throws IOException {
        Path f = tmp.resolve("x.csv");
        Files.writeString(f, "prompt_id,prompt,score\na,b,1\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("x.csv")
                .hasMessageContaining("missing required column [model]")
                .hasMessageContaining("found [prompt_id, prompt, score]");
    }

    @Test
    void scoreOutsideTheUnitIntervalNamesRowAndColumn() throws IOException {
        Path f = csv("p1,hi,a,1,train,,,,\np1,hi,b,1.5,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("row 2, column 'score': is 1.5; expected a number in [0, 1]")
                .satisfies(e -> assertThat(((DatasetFormatException) e).row()).hasValue(2));
    }

    @Test
    void nanScoreIsAnError() throws IOException {
        Path f = csv("p1,hi,a,NaN,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("row 1, column 'score': is NaN");
    }

    @Test
    void textInANumericColumnIsAnError() throws IOException {
        Path f = csv("p1,hi,a,0.5,train,,,,\np1,hi,b,high,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("row 2, column 'score': is \"high\"; expected a number");
    }

    @Test
    void wrongParquetColumnTypeIsAnError() throws Exception {
        Path f = tmp.resolve("typed.parquet");
        exec("COPY (SELECT 'p1' AS prompt_id, 'hi' AS prompt, 'a' AS model, '0.5' AS score) TO " + DuckDb.literal(f)
                + " (FORMAT PARQUET)");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("typed.parquet, column 'score': has type VARCHAR, expected a numeric type");
    }

    @Test
    void negativeAndFractionalTokenCountsAreErrors() throws IOException {
        Path neg = csv("p1,hi,a,1,train,,-3,5,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(neg))
                .hasMessageContaining("row 1, column 'input_tokens': is -3; expected a token count >= 0");
        Path frac = csv("p1,hi,a,1,train,,3,5.5,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(frac))
                .hasMessageContaining("column 'output_tokens': is 5.5; expected a whole number of tokens");
    }

    @Test
    void negativeCostIsAnError() throws IOException {
        Path f = csv("p1,hi,a,1,train,,,,-0.01\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("column 'cost_usd': is -0.01; expected a finite number >= 0");
    }

    @Test
    void duplicatePromptModelPairNamesBothRows() throws IOException {
        Path f = csv("p1,hi,a,1,train,,,,\np1,hi,b,1,train,,,,\np1,hi,a,0,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("row 3")
                .hasMessageContaining("duplicate (prompt_id, model) = ('p1', 'a'): already given in")
                .hasMessageContaining("row 1");
    }

    @Test
    void aPromptWhoseTextDiffersBetweenRowsIsAnError() throws IOException {
        Path f = csv("p1,hi,a,1,train,,,,\np1,hello,b,1,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("row 2, column 'prompt': prompt_id 'p1' has prompt \"hello\" here but \"hi\"");
    }

    @Test
    void nullPromptIdIsAnError() throws IOException {
        Path f = csv(",hi,a,1,train,,,,\n");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("row 1, column 'prompt_id': is null");
    }

    @Test
    void emptyAndHeaderOnlyFilesAreErrors() throws IOException {
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> new LongFormatReader().read(empty))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("empty.csv: the file is empty");
        Path header = tmp.resolve("header.csv");
        Files.writeString(header, HEADER);
        assertThatThrownBy(() -> new LongFormatReader().read(header))
                .hasMessageContaining("header.csv: the file has a header but no rows");
    }

    @Test
    void truncatedAndCorruptParquetFilesAreErrors() throws Exception {
        Path good = tmp.resolve("good.parquet");
        exec("COPY (SELECT 'p' || i AS prompt_id, 'text' AS prompt, 'a' AS model, 0.5 AS score FROM range(1000) t(i))"
                + " TO " + DuckDb.literal(good) + " (FORMAT PARQUET)");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = tmp.resolve("truncated.parquet");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> new LongFormatReader().read(truncated))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("truncated.parquet")
                .hasMessageContaining("truncated or corrupt");
        Path corrupt = tmp.resolve("corrupt.parquet");
        Files.write(corrupt, "this is not parquet at all, just text".getBytes());
        assertThatThrownBy(() -> new LongFormatReader().read(corrupt))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("corrupt.parquet");
    }

    @Test
    void unknownFileTypeIsAnError() throws IOException {
        Path f = tmp.resolve("data.xlsx");
        Files.writeString(f, "x");
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessageContaining("unsupported file type");
    }

    @Test
    void missingFileIsAnError() {
        assertThatThrownBy(() -> new LongFormatReader().read(tmp.resolve("nope.parquet")))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("nope.parquet: no such file");
    }

    // ---------------------------------------------------------------- JSON: every value checked by carrot, by row

    @Test
    void aStringScoreLateInAJsonlFileIsNamedByItsRowAndValue() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            String score = i == 2500 ? "\"high\"" : i % 2 == 0 ? "0.0" : "1";
            sb.append("{\"prompt_id\": \"p").append(i).append("\", \"prompt\": \"text ").append(i)
                    .append("\", \"model\": \"a\", \"score\": ").append(score).append("}\n");
        }
        Path f = tmp.resolve("late.jsonl");
        Files.writeString(f, sb);
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(f + ", row 2500, column 'score': is \"high\"; expected a number")
                .satisfies(e -> assertThat(((DatasetFormatException) e).row()).hasValue(2500));
    }

    @Test
    void aPromptIdMixingIntegersAndTextIsReadAsText() throws IOException {
        Path f = tmp.resolve("ids.jsonl");
        Files.writeString(f, """
                {"prompt_id": 1, "prompt": "one", "model": "a", "score": 1}
                {"prompt_id": "p0", "prompt": "zero", "model": "a", "score": 0.25}
                {"prompt_id": 12345678901234567890, "prompt": "big", "model": "a", "score": "0.5"}
                """);
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.size()).isEqualTo(3);
        assertThat(List.of(d.promptId(0), d.promptId(1), d.promptId(2)))
                .containsExactlyInAnyOrder("1", "p0", "12345678901234567890");
        for (int i = 0; i < d.size(); i++) {
            double expected = switch (d.promptId(i)) {
                case "1" -> 1;
                case "p0" -> 0.25;
                default -> 0.5;
            };
            assertThat(d.quality(i, 0)).isEqualTo(expected);
        }
    }

    @Test
    void jsonValuesOfTheWrongKindAreNamedByRowAndKind() throws IOException {
        Path bool = tmp.resolve("bool.jsonl");
        Files.writeString(bool, """
                {"prompt_id": "p1", "prompt": "x", "model": "a", "score": 1}
                {"prompt_id": "p2", "prompt": "y", "model": "a", "score": true}
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(bool))
                .hasMessage(bool + ", row 2, column 'score': expected a number, got a JSON boolean true");
        Path nested = tmp.resolve("nested.jsonl");
        Files.writeString(nested, """
                {"prompt_id": "p1", "prompt": {"text": "x"}, "model": "a", "score": 1}
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(nested))
                .hasMessage(nested + ", row 1, column 'prompt': expected a string, got a JSON object {\"text\":\"x\"}");
        Path numberPrompt = tmp.resolve("number-prompt.jsonl");
        Files.writeString(numberPrompt, """
                {"prompt_id": "p1", "prompt": 42, "model": "a", "score": 1}
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(numberPrompt))
                .hasMessageContaining("row 1, column 'prompt': expected a string, got a JSON number 42");
        Path notObject = tmp.resolve("not-object.jsonl");
        Files.writeString(notObject, """
                {"prompt_id": "p1", "prompt": "x", "model": "a", "score": 1}
                [1, 2]
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(notObject))
                .hasMessageContaining("not-object.jsonl, row 2: expected a JSON object (one per row), got an array");
    }

    @Test
    void aJsonArrayIsReadAndItsErrorsNameTheRecordAndItsLine() throws IOException {
        Path f = tmp.resolve("pretty.json");
        Files.writeString(f, """
                [
                  {"prompt_id": "p1", "prompt": "x", "model": "a", "score": 1},

                  {"prompt_id": "p2", "prompt": "y", "model": "a",
                   "score": 2}
                ]
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .hasMessage(f + ", row 2, column 'score': is 2.0; expected a number in [0, 1] (the record at line 4)");
        Files.writeString(f, """
                [
                  {"prompt_id": "p1", "prompt": "x", "model": "a", "score": 1},
                  {"prompt_id": "p2", "prompt": "y", "model": "a", "score": null},
                  {"prompt_id": "p3", "prompt": "z", "model": "a"}
                ]
                """);
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(LongFormatReader.MISSING_SCORE, 2));
    }

    @Test
    void malformedJsonNamesTheLine() throws IOException {
        Path f = tmp.resolve("broken.jsonl");
        Files.writeString(f, """
                {"prompt_id": "p1", "prompt": "x", "model": "a", "score": 1}
                {"prompt_id": "p2", "prompt": "y", "model": "a", "score": 1
                {"prompt_id": "p3", "prompt": "z", "model": "a", "score": 1}
                """);
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(f + ", row 2: not valid JSON at line 3, column ")
                .hasMessageNotContaining("Source: ");
        Path array = tmp.resolve("array.jsonl");
        Files.writeString(array, "[{\"prompt_id\": \"p1\", \"prompt\": \"x\", \"model\": \"a\", \"score\": 1}]\n");
        assertThatThrownBy(() -> new LongFormatReader().read(array))
                .hasMessageContaining("array.jsonl: expected one JSON object per line, got an array");
        Path missing = tmp.resolve("missing.jsonl");
        Files.writeString(missing, "{\"prompt_id\": \"p1\", \"prompt\": \"x\", \"score\": 1}\n");
        assertThatThrownBy(() -> new LongFormatReader().read(missing))
                .hasMessageContaining("missing.jsonl, column 'model': missing required column [model]")
                .hasMessageContaining("found [prompt_id, prompt, score]");
    }

    @Test
    void gzippedJsonLinesAreStreamed() throws Exception {
        Path f = tmp.resolve("rows.jsonl.gz");
        try (var out = new java.io.OutputStreamWriter(new java.util.zip.GZIPOutputStream(Files.newOutputStream(f)),
                java.nio.charset.StandardCharsets.UTF_8)) {
            for (int i = 0; i < 500; i++) {
                out.write("{\"prompt_id\": " + i + ", \"prompt\": \"t" + i + "\", \"model\": \"a\", \"score\": 1,"
                        + " \"input_tokens\": " + i + ", \"extra\": {\"deep\": [1, 2, {\"x\": null}]}}\n");
                out.write("{\"prompt_id\": " + i + ", \"prompt\": \"t" + i + "\", \"model\": \"b\", \"score\": 0,"
                        + " \"input_tokens\": 7}\n");
            }
        }
        RoutingDataset d = new LongFormatReader().read(f);
        assertThat(d.size()).isEqualTo(500);
        assertThat(d.modelCount()).isEqualTo(2);
        assertThat(d.provenance().rowsRead()).isEqualTo(1000);
        int p = java.util.stream.IntStream.range(0, d.size()).filter(i -> d.promptId(i).equals("321")).findFirst()
                .orElseThrow();
        assertThat(d.inputTokens(p, 0)).isEqualTo(321);
    }

    // ---------------------------------------------------------------- CSV that is not UTF-8

    @Test
    void invalidUtf8InACsvNamesTheRowAndHowToReEncode() throws IOException {
        // early (DuckDB's sniffer sees it) and late (only the full read does)
        for (int bad : new int[]{11, 30_000}) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            bytes.writeBytes("prompt_id,prompt,model,score\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int i = 1; i <= bad + 5; i++) {
                String prompt = i == 3 ? "\"two\nlines\"" : "hello " + i;
                bytes.writeBytes(("p" + i + "," + prompt + ",a,1\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (i == bad - 1) {
                    bytes.writeBytes("p-latin1,caf".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    bytes.write(0xE9); // é in Latin-1
                    bytes.writeBytes(",a,1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    i++;
                }
            }
            Path f = tmp.resolve("latin1-" + bad + ".csv");
            Files.write(f, bytes.toByteArray());
            assertThatThrownBy(() -> new LongFormatReader().read(f))
                    .as("bad row %d", bad)
                    .isInstanceOf(DatasetFormatException.class)
                    .hasMessageContaining(f + ", row " + bad + ": the file is not valid UTF-8")
                    .hasMessageContaining("line " + (bad + 2))
                    .hasMessageContaining("re-encode it to UTF-8")
                    .hasMessageContaining("iconv -f latin1 -t utf-8 ")
                    .hasMessageNotContaining("ignore_errors")
                    .hasMessageNotContaining("sample_size")
                    .hasMessageNotContaining("encoding=")
                    .satisfies(e -> assertThat(((DatasetFormatException) e).row()).hasValue(bad));
        }
    }

    // ---------------------------------------------------------------- a misspelt model

    @Test
    void aModelWithRowsForOnlyAFewPromptsIsNamed() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            sb.append("p").append(i).append(",text ").append(i).append(",a,1,train,,,,\n");
            sb.append("p").append(i).append(",text ").append(i).append(",b,0,train,,,,\n");
            if (i <= 3) {
                sb.append("p").append(i).append(",text ").append(i).append(",gpt-4o-mni,0,train,,,,\n");
            }
        }
        RoutingDataset d = new LongFormatReader().read(csv(sb.toString()));
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.provenance().dropped()).containsExactly(Map.entry(LongFormatReader.MISSING_MODEL, 97));
        assertThat(d.provenance().notes()).contains("model 'gpt-4o-mni' has rows for 3 of 100 prompts while every"
                + " other model has all: a misspelt model name?");
    }

    @Test
    void aMisspeltModelThatDropsEveryPromptIsNamedInTheError() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 2840; i++) {
            sb.append("p").append(i).append(",text ").append(i).append(",gpt-4o,1,train,,,,\n");
            sb.append("p").append(i).append(",text ").append(i).append(i <= 60 ? ",gpt-4o-mni" : ",gpt-4o-mini")
                    .append(",0,train,,,,\n");
        }
        Path f = csv(sb.toString());
        assertThatThrownBy(() -> new LongFormatReader().read(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("no prompt has a score for every model")
                .hasMessageContaining("model 'gpt-4o-mni' has rows for 60 of 2,840 prompts while the other models"
                        + " have rows for 2,780 to 2,840: a misspelt model name?");
    }

    // ---------------------------------------------------------------- helpers

    private Path csv(String rows) throws IOException {
        Path f = Files.createTempFile(tmp, "data", ".csv");
        Files.writeString(f, HEADER + rows);
        return f;
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = DuckDb.open(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Map<String, double[]> sql(Path file, String template) throws SQLException {
        String q = template.contains("WHERE %s IS NOT NULL")
                ? String.format(template, DuckDb.literal(file), "score")
                : String.format(template, DuckDb.literal(file), DuckDb.literal(file));
        Map<String, double[]> out = new HashMap<>();
        try (Connection c = DuckDb.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
            while (rs.next()) {
                out.put(rs.getString(1), new double[]{rs.getDouble(2), rs.getDouble(3)});
            }
        }
        return out;
    }
}
