#!/usr/bin/env python3
"""Build carrot's tiny stand-ins for CARROT's pre-trained router (arXiv 2502.03261).

CARROT's released predictors are HuggingFace RobertaForSequenceClassification checkpoints:
  CARROT-LLM-Routing/Performance  13 outputs, problem_type multi_label_classification (quality = sigmoid(logits))
  CARROT-LLM-Routing/Cost         13 outputs, problem_type regression (output tokens = logits)
tokenized with the roberta-base tokenizer (truncation=True, max 512 tokens), and input tokens counted with the
Llama-3.1 tokenizer (no truncation, BOS included).

This script makes, deterministically and offline, tiny random models of the same shape and exports them to ONNX the
way `optimum-cli export onnx --task text-classification` does (inputs input_ids/attention_mask int64
[batch_size, sequence_length], output logits float32 [batch_size, 13], opset 14, TorchScript exporter):

  quality/          model.onnx  config.json  tokenizer.json   (byte-level BPE shaped like roberta-base's)
  output-tokens/    model.onnx  config.json  tokenizer.json   (same tokenizer, as in CARROT)
  input-tokenizer/  tokenizer.json                             (byte-level BPE shaped like Llama-3's, BOS prepended)
  expected.json     token ids, raw logits (onnxruntime), sigmoid(quality logits), input-token counts

Run from this folder:  PYTHONPATH=../.pylib python3 make_fixtures.py
"""

import hashlib
import json
import math
import os
import random
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

# Single-threaded, reproducible everything (the BPE trainer and onnxruntime too).
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForSequenceClassification  # noqa: E402

SEED = 20250205
OUT = Path(__file__).resolve().parent
NUM_LABELS = 13
MAX_LENGTH = 512          # roberta-base model_max_length; CARROT tokenizes with truncation=True
OPSET = 14                # optimum's default for RoBERTa
ROBERTA_VOCAB = 1000      # upper bound; the corpus yields 822 ids (4 specials + 256 bytes + 561 merges + <mask>)
INPUT_VOCAB = 700         # 698 BPE ids + <|begin_of_text|> + <|end_of_text|>
TOL = 1e-5

# Order of the 13 outputs in CARROT's CarrotRouter (index i of logits <-> i-th key of its COSTS dict).
CARROT_MODELS = [
    "aws-claude-3-5-sonnet-v1", "aws-titan-text-premier-v1", "openai-gpt-4o", "openai-gpt-4o-mini",
    "wxai-granite-3-2b-instruct-8k-max-tokens", "wxai-granite-3-8b-instruct-8k-max-tokens",
    "wxai-llama-3-1-70b-instruct", "wxai-llama-3-1-8b-instruct", "wxai-llama-3-2-1b-instruct",
    "wxai-llama-3-2-3b-instruct", "wxai-llama-3-3-70b-instruct", "wxai-mixtral-8x7b-instruct-v01",
    "wxai-llama-3-405b-instruct",
]
assert len(CARROT_MODELS) == NUM_LABELS

# Llama-3's pre-tokenizer split pattern (as in its tokenizer.json).
LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")

LONG_PARAGRAPH = (
    "Routing a query to the right language model is a trade-off between the quality of the answer and the price "
    "of producing it. CARROT estimates, for every candidate model, the probability that its answer is good and "
    "the number of tokens it will write, then picks the model that maximises (1 - mu) * quality - mu * cost. "
)

PROMPTS = [
    ("empty", ""),
    ("short_question", "What is the value of i^i?"),
    ("quotes_unicode", 'She said "naïve café — ñ 東京" and then \'left\'.'),
    ("code", "def fib(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"
             "    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n"),
    ("whitespace", "  two leading spaces,\ttabs,\n\nnewlines   and trailing spaces   "),
    ("emoji_numbers", "Route this 🥕 prompt for $0.0042 per 1,000,000 tokens (≈ 3.5e-9 USD/token)!"),
    ("special_token_text", "Literal special tokens <s> and </s> and <mask> inside a prompt."),
    ("long_truncated", " ".join([LONG_PARAGRAPH.strip()] * 12)),
]

# --------------------------------------------------------------------------------------------------------------------
# A fixed training corpus (a few hundred lines), made from the words below with a seeded generator.
# --------------------------------------------------------------------------------------------------------------------
BASE_LINES = [
    "The router sends each prompt to the cheapest model that is still likely to answer it well.",
    "Large language models differ in price per token, latency and accuracy on each kind of task.",
    "A cost-aware router predicts the quality and the number of output tokens for every model.",
    "What is the derivative of x^2 + 3x - 7 with respect to x?",
    "Explain entropy in one sentence.",
    "Summarize the following article about renewable energy in three bullet points.",
    "Translate 'good morning' into French, Spanish and Japanese: bonjour, buenos días, おはようございます.",
    "Write a Python function that returns the n-th Fibonacci number.",
    "def add(a, b):\n    return a + b",
    "for (int i = 0; i < n; i++) { sum += values[i]; }",
    "SELECT model, AVG(score) FROM results GROUP BY model ORDER BY 2 DESC;",
    "The naïve approach stores every embedding; a café in München serves crème brûlée.",
    "Tokyo (東京) is the capital of Japan; Beijing (北京) is the capital of China.",
    "Prices are quoted in USD per million input tokens and per million output tokens.",
    "Claude, GPT-4o, Llama, Granite, Mixtral and Titan are the thirteen candidate models.",
    "If the budget is tight, mu moves towards one and cheaper models are preferred.",
    "The quick brown fox jumps over the lazy dog near the riverbank.",
    "Question: how many prime numbers are smaller than one hundred? Answer: twenty-five.",
    "Solve for y: 2y + 6 = 14. First subtract six, then divide by two, so y = 4.",
    "The mitochondria is the powerhouse of the cell, producing ATP through respiration.",
    "In 1969, Apollo 11 landed on the Moon and Neil Armstrong took the first step.",
    "Please answer concisely and cite your sources where possible.",
    "JSON example: {\"model\": \"gpt-4o\", \"score\": 0.93, \"tokens\": 412}",
    "Retrieval-augmented generation answers questions from documents such as manuals and contracts.",
    "¿Dónde está la biblioteca? Está al lado del museo, señor.",
    "Das Wetter ist heute schön, aber morgen soll es regnen.",
    "Emoji test: 🥕 carrots, 🚀 rockets and ✅ checks appear in user prompts too.",
]
WORDS = (
    "model router prompt token price budget quality cost answer question accuracy latency cheap expensive "
    "predict estimate train test data set score judge math code science history language translate summarize "
    "explain reason step proof function variable loop array string number integer float matrix vector "
    "probability expected value gradient loss optimize energy cell planet ocean river mountain city country "
    "capital music art novel poem story law contract medical patient drug dose finance market stock bond "
    "the a an of to in for on with by from and or but not is are was were be been will would can could should"
).split()


def corpus_lines():
    rng = random.Random(SEED)
    lines = list(BASE_LINES)
    for _ in range(400):
        n = rng.randint(5, 18)
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(0, 9999)))
        line = " ".join(words)
        line = line[0].upper() + line[1:] + rng.choice([".", "?", "!", ":", ";"])
        lines.append(line)
    return lines


def legacy_json(tok: Tokenizer) -> str:
    """tokenizer.json text with BPE merges as "a b" strings: the format of tokenizers < 0.20, which every later
    version still reads (0.20+ would write [["a", "b"], ...], which older readers, e.g. older DJL, reject)."""
    spec = json.loads(tok.to_str())
    merges = spec["model"]["merges"]
    out = []
    for m in merges:
        if isinstance(m, str):
            out.append(m)
        else:
            a, b = m
            assert " " not in a and " " not in b, m   # byte-level tokens never contain a space
            out.append(f"{a} {b}")
    spec["model"]["merges"] = out
    # "ignore_merges" (tokenizers >= 0.19) defaults to false; leave it out, as older tokenizer.json files do.
    if spec["model"].get("ignore_merges") is False:
        del spec["model"]["ignore_merges"]
    text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
    again = Tokenizer.from_str(text)
    for _, prompt in PROMPTS:   # same ids from either merges format
        assert again.encode(prompt).ids == tok.encode(prompt).ids
    return text


def build_roberta_tokenizer(lines):
    """Byte-level BPE laid out like roberta-base's tokenizer.json: <s>=0 <pad>=1 </s>=2 <unk>=3 ... <mask>=last."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(
        vocab_size=ROBERTA_VOCAB - 1, min_frequency=2, show_progress=False,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer=trainer)
    # roberta-base: <mask> is the last id, lstrip=True, special.
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)])
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0),
                                                      trim_offsets=True, add_prefix_space=False)
    for t, i in [("<s>", 0), ("<pad>", 1), ("</s>", 2), ("<unk>", 3)]:
        assert tok.token_to_id(t) == i, (t, tok.token_to_id(t))
    assert tok.token_to_id("<mask>") == tok.get_vocab_size() - 1
    return tok


def build_input_tokenizer(lines):
    """Byte-level BPE laid out like Llama-3's: Llama-3 split regex, specials after the vocab, BOS prepended."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=INPUT_VOCAB - 2, min_frequency=2, show_progress=False,
                                  special_tokens=[], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer=trainer)
    tok.add_special_tokens([AddedToken("<|begin_of_text|>", special=True, normalized=False),
                            AddedToken("<|end_of_text|>", special=True, normalized=False)])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                      pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)]),
    ])
    return tok


# --------------------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------------------
def build_model(vocab_size, problem_type, seed):
    torch.manual_seed(seed)
    config = RobertaConfig(
        vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        max_position_embeddings=MAX_LENGTH + 2, type_vocab_size=1, initializer_range=0.2, layer_norm_eps=1e-5,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, num_labels=NUM_LABELS, problem_type=problem_type,
        architectures=["RobertaForSequenceClassification"])
    config._attn_implementation = "eager"
    model = RobertaForSequenceClassification(config).eval()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        # Random biases too (the default init zeroes them), so that every input and layer matters.
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
        head = model.classifier.out_proj
        if problem_type == "regression":
            # Output-token-like values: positive, a few units (kept small so a 1e-5 absolute check is meaningful).
            head.bias.copy_(torch.rand(NUM_LABELS, generator=gen) * 4.0 + 2.0)
        else:
            head.bias.copy_(torch.randn(NUM_LABELS, generator=gen))
    return model


class LogitsOnly(torch.nn.Module):
    """What optimum exports for text-classification: (input_ids, attention_mask) -> logits."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def export_onnx(model, path: Path):
    wrapper = LogitsOnly(model).eval()
    # optimum's dummy input: batch 2, sequence 16; a padded row so no all-ones shortcut is traced in.
    ids = torch.randint(5, model.config.vocab_size - 1, (2, 16), generator=torch.Generator().manual_seed(SEED))
    ids[:, 0] = 0
    ids[0, -1] = 2
    ids[1, 10] = 2
    ids[1, 11:] = 1
    mask = (ids != 1).long()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper, (ids, mask), str(path), dynamo=False, opset_version=OPSET, do_constant_folding=True,
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                          "attention_mask": {0: "batch_size", 1: "sequence_length"},
                          "logits": {0: "batch_size"}})
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    ins = [(i.name, i.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim])
           for i in m.graph.input]
    outs = [(o.name, o.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim])
            for o in m.graph.output]
    assert ins == [("input_ids", onnx.TensorProto.INT64, ["batch_size", "sequence_length"]),
                   ("attention_mask", onnx.TensorProto.INT64, ["batch_size", "sequence_length"])], ins
    assert outs == [("logits", onnx.TensorProto.FLOAT, ["batch_size", NUM_LABELS])], outs
    return m


def write_config(model, folder: Path):
    model.config.save_pretrained(str(folder))   # config.json, as save_pretrained (and so optimum) writes it


def f32(xs):
    return [float(np.float32(x)) for x in np.asarray(xs, dtype=np.float32).ravel()]


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))


def sha256(path: Path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    lines = corpus_lines()

    for d in ["quality", "output-tokens", "input-tokenizer"]:
        shutil.rmtree(OUT / d, ignore_errors=True)
        (OUT / d).mkdir()

    rob = build_roberta_tokenizer(lines)
    inp = build_input_tokenizer(lines)
    for d in ["quality", "output-tokens"]:
        (OUT / d / "tokenizer.json").write_text(legacy_json(rob), encoding="utf-8")
    (OUT / "input-tokenizer" / "tokenizer.json").write_text(legacy_json(inp), encoding="utf-8")

    # Reload from disk: every number below comes from the files that are committed.
    rob = Tokenizer.from_file(str(OUT / "quality" / "tokenizer.json"))
    inp = Tokenizer.from_file(str(OUT / "input-tokenizer" / "tokenizer.json"))
    # The transformers API CARROT uses: tokenizer(prompts, truncation=True) with model_max_length 512.
    hf_tok = PreTrainedTokenizerFast(tokenizer_file=str(OUT / "quality" / "tokenizer.json"),
                                     bos_token="<s>", eos_token="</s>", unk_token="<unk>", sep_token="</s>",
                                     cls_token="<s>", pad_token="<pad>", mask_token="<mask>",
                                     model_max_length=MAX_LENGTH)

    specs = {"quality": ("multi_label_classification", SEED + 10),
             "output-tokens": ("regression", SEED + 20)}
    sessions, torch_models = {}, {}
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    for d, (ptype, seed) in specs.items():
        model = build_model(rob.get_vocab_size(), ptype, seed)
        export_onnx(model, OUT / d / "model.onnx")
        write_config(model, OUT / d)
        torch_models[d] = model
        sessions[d] = ort.InferenceSession(str(OUT / d / "model.onnx"), so, providers=["CPUExecutionProvider"])
        names = [i.name for i in sessions[d].get_inputs()]
        assert names == ["input_ids", "attention_mask"] and "token_type_ids" not in names, names

    records = []
    for name, text in PROMPTS:
        full = rob.encode(text).ids                                  # no truncation, specials added
        ids = hf_tok(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
        # The rule, stated: keep <s>, the first 510 text tokens, </s>.
        rule = full if len(full) <= MAX_LENGTH else full[:MAX_LENGTH - 1] + [2]
        assert ids == rule, name
        assert ids[0] == 0 and ids[-1] == 2 and len(ids) <= MAX_LENGTH
        x = np.asarray([ids], dtype=np.int64)
        mask = np.ones_like(x)
        rec = {"name": name, "text": text,
               "roberta_num_tokens_untruncated": len(full),
               "truncated": len(full) > MAX_LENGTH,
               "input_ids": ids,
               "attention_mask": [1] * len(ids)}
        for d, sess in sessions.items():
            logits = sess.run(["logits"], {"input_ids": x, "attention_mask": mask})[0]
            assert logits.shape == (1, NUM_LABELS) and logits.dtype == np.float32
            with torch.no_grad():
                ref = torch_models[d](input_ids=torch.from_numpy(x), attention_mask=torch.from_numpy(mask)).logits
                ref_noattn = torch_models[d](input_ids=torch.from_numpy(x)).logits   # CarrotRouter passes no mask
            diff = float(np.max(np.abs(logits - ref.numpy())))
            assert diff <= TOL, (d, name, diff)
            assert float(np.max(np.abs(ref_noattn.numpy() - ref.numpy()))) <= TOL
            key = "quality" if d == "quality" else "output_tokens"
            rec[f"{key}_logits"] = f32(logits)
            if d == "quality":
                rec["quality_sigmoid"] = [float(v) for v in sigmoid(logits).ravel()]
            rec[f"{key}_max_abs_diff_vs_pytorch"] = diff
        rec["input_tokens"] = len(inp.encode(text).ids)                               # BOS included (CARROT's count)
        rec["input_tokens_without_special"] = len(inp.encode(text, add_special_tokens=False).ids)
        assert rec["input_tokens"] == rec["input_tokens_without_special"] + 1
        records.append(rec)

    # The fixture must be able to catch mistakes: distinct prompts, and a wrong truncation (first 512 ids, no final
    # </s>), change the logits by far more than the tolerance.
    sensitivity = {}
    long_rec = next(r for r in records if r["truncated"])
    wrong = np.asarray([rob.encode(long_rec["text"]).ids[:MAX_LENGTH]], dtype=np.int64)
    for d, sess in sessions.items():
        key = "quality" if d == "quality" else "output_tokens"
        rows = np.asarray([r[f"{key}_logits"] for r in records])
        pair = min(float(np.max(np.abs(rows[i] - rows[j])))
                   for i in range(len(rows)) for j in range(i + 1, len(rows)))
        bad = sess.run(["logits"], {"input_ids": wrong, "attention_mask": np.ones_like(wrong)})[0]
        trunc = float(np.max(np.abs(bad - np.asarray(long_rec[f"{key}_logits"]))))
        assert pair > 100 * TOL and trunc > 100 * TOL, (d, pair, trunc)
        sensitivity[key] = {"min_pairwise_max_abs_diff_between_prompts": pair,
                            "max_abs_diff_if_truncated_without_final_eos": trunc}

    # Batch of all prompts, right-padded with <pad>=1 and attention_mask 0: the same logits per row.
    width = max(len(r["input_ids"]) for r in records)
    bx = np.full((len(records), width), 1, dtype=np.int64)
    bm = np.zeros_like(bx)
    for i, r in enumerate(records):
        bx[i, :len(r["input_ids"])] = r["input_ids"]
        bm[i, :len(r["input_ids"])] = 1
    batch_diff = {}
    for d, sess in sessions.items():
        key = "quality" if d == "quality" else "output_tokens"
        out = sess.run(["logits"], {"input_ids": bx, "attention_mask": bm})[0]
        with torch.no_grad():
            ref = torch_models[d](input_ids=torch.from_numpy(bx), attention_mask=torch.from_numpy(bm)).logits.numpy()
        single = np.asarray([r[f"{key}_logits"] for r in records], dtype=np.float32)
        batch_diff[key] = float(np.max(np.abs(out - single)))
        assert batch_diff[key] <= TOL, (d, batch_diff[key])
        assert float(np.max(np.abs(out - ref))) <= TOL

    expected = {
        "description": "Expected outputs of carrot's tiny random stand-ins for CARROT's Performance/Cost routers. "
                       "Generated by make_fixtures.py; do not edit by hand.",
        "seed": SEED,
        "tolerance": TOL,
        "models": {
            "quality": {"dir": "quality", "input_names": ["input_ids", "attention_mask"], "output_name": "logits",
                        "num_outputs": NUM_LABELS, "transform": "sigmoid",
                        "problem_type": "multi_label_classification"},
            "output_tokens": {"dir": "output-tokens", "input_names": ["input_ids", "attention_mask"],
                              "output_name": "logits", "num_outputs": NUM_LABELS, "transform": "identity",
                              "problem_type": "regression"},
            "input_tokenizer": {"file": "input-tokenizer/tokenizer.json",
                                "count": "len(encode(text, add_special_tokens=True).ids), no truncation "
                                         "(includes the one BOS <|begin_of_text|>)"},
        },
        "tokenization": {
            "tokenizer": "quality/tokenizer.json (identical copy in output-tokens/)",
            "special_tokens": {"bos_cls": ["<s>", 0], "pad": ["<pad>", 1], "eos_sep": ["</s>", 2],
                               "unk": ["<unk>", 3], "mask": ["<mask>", rob.token_to_id("<mask>")]},
            "add_special_tokens": True,
            "max_length": MAX_LENGTH,
            "truncation_rule": "HF tokenizer(text, truncation=True, max_length=512): if encode(text) with specials "
                               "has n > 512 ids, keep the first 511 and end with </s> (2), i.e. <s> + first 510 "
                               "text tokens + </s>",
            "padding": "none for single prompts; for batches pad on the right with <pad> (1) and attention_mask 0",
            "tokenizer_json_truncation_and_padding": "null (the caller truncates)",
        },
        "carrot_router_label_order": CARROT_MODELS,
        "batch_check": {"note": "all prompts as one batch, right-padded to the longest with id 1 / mask 0, give the "
                                "single-prompt logits within tolerance",
                        "max_abs_diff": batch_diff},
        "sensitivity": sensitivity,
        "onnx": {"opset": OPSET, "ir_version": onnx.load(str(OUT / "quality" / "model.onnx")).ir_version,
                 "exporter": f"torch.onnx.export(dynamo=False), torch {torch.__version__}"},
        "generated_with": {"python": sys.version.split()[0], "torch": torch.__version__,
                           "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                           "onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__},
        "prompts": records,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    # Summary
    print(f"python {sys.version.split()[0]}  torch {torch.__version__}  transformers {transformers.__version__}  "
          f"tokenizers {tokenizers.__version__}  onnx {onnx.__version__}  onnxruntime {ort.__version__}  "
          f"numpy {np.__version__}")
    for d in ["quality", "output-tokens", "input-tokenizer"]:
        total = sum(p.stat().st_size for p in (OUT / d).iterdir())
        assert total < 1_000_000, (d, total)
        for p in sorted((OUT / d).iterdir()):
            print(f"  {d}/{p.name:15s} {p.stat().st_size:8d}  sha256 {sha256(p)[:16]}")
        print(f"  {d}/ total {total} bytes")
    print(f"  expected.json {(OUT / 'expected.json').stat().st_size} bytes  sha256 {sha256(OUT / 'expected.json')[:16]}")
    for r in records:
        print(f"  {r['name']:20s} ids={len(r['input_ids']):3d} (untruncated {r['roberta_num_tokens_untruncated']:4d}) "
              f"input_tokens={r['input_tokens']:4d}  q0={r['quality_sigmoid'][0]:.4f} "
              f"tok0={r['output_tokens_logits'][0]:.4f}")


if __name__ == "__main__":
    main()
